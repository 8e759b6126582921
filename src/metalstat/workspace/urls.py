from django.contrib.auth import views as auth_views
from django.urls import path, register_converter

from metalstat.workspace import views


class MonthConverter:
    regex = r"\d{4}-\d{2}"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(MonthConverter, "month")

app_name = "workspace"
urlpatterns = [
    path("", views.index, name="index"),
    path(
        "login/",
        auth_views.LoginView.as_view(template_name="workspace/login.html", next_page="workspace:index"),
        name="login",
    ),
    path("logout/", auth_views.LogoutView.as_view(next_page="workspace:login"), name="logout"),
    path("respond/", views.respond, name="respond"),
    path("producers/<str:code>/tokens/", views.tokens, name="tokens"),
    path("<month:month>/", views.board, name="board"),
    path("<month:month>/missing/", views.missing, name="missing"),
    path("<month:month>/findings/", views.findings, name="findings"),
    path("<month:month>/cells/", views.cells, name="cells"),
    path("<month:month>/upload/", views.upload, name="upload"),
    path("<month:month>/returns/<str:code>/", views.return_form, name="return"),
    path("<month:month>/returns/<str:code>/check/", views.return_check, name="return-check"),
    path("<month:month>/release/", views.release, name="release"),
    path("<month:month>/review/", views.review, name="review"),
    path("<month:month>/commentary/", views.commentary, name="commentary"),
    path("<month:month>/commentary/preview/", views.commentary_preview_fragment, name="commentary-preview"),
    path("<month:month>/lineage/<str:product>/", views.lineage, name="lineage"),
]
