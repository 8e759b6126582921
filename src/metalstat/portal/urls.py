"""The portal's addresses (under the site root; the API stays under /api/v1/)."""

from django.contrib.auth import views as auth_views
from django.urls import path

from metalstat.portal import views

app_name = "portal"

urlpatterns = [
    path("", views.home, name="home"),
    path("products/<slug:code>/", views.product, name="product"),
    path("releases/<str:period>/", views.release, name="release"),
    path("releases/<str:period>/v<int:vintage>/", views.release, name="release-vintage"),
    path("releases/<str:period>/v<int:vintage>/report.pdf", views.release_pdf, name="release-pdf"),
    path("calendar/", views.calendar, name="calendar"),
    path("account/", views.account, name="account"),
    path("account/keys/", views.create_key, name="create-key"),
    path("account/keys/<int:pk>/revoke/", views.revoke_key, name="revoke-key"),
    path(
        "account/sign-in/",
        auth_views.LoginView.as_view(template_name="portal/sign_in.html", redirect_authenticated_user=True),
        name="login",
    ),
    path("account/sign-out/", auth_views.LogoutView.as_view(), name="logout"),
]
