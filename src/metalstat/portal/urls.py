"""The portal's addresses (under the site root; the API stays under /api/v1/)."""

from typing import Any

from django.contrib.auth import views as auth_views
from django.urls import URLPattern, path, reverse_lazy
from django.views import View

from metalstat.portal import views

app_name = "portal"


def _reset(route: str, view: type[View], name: str, **options: Any) -> URLPattern:
    """One step of Django's password reset under /account/password-reset/, its template
    ``portal/<name with underscores>.html``."""
    template = f"portal/{name.replace('-', '_')}.html"
    return path(f"account/password-reset/{route}", view.as_view(template_name=template, **options), name=name)


urlpatterns = [
    path("", views.home, name="home"),
    path("products/<slug:code>/", views.product, name="product"),
    path("releases/<str:period>/", views.release, name="release"),
    path("releases/<str:period>/v<int:vintage>/", views.release, name="release-vintage"),
    path("releases/<str:period>/v<int:vintage>/report.pdf", views.release_pdf, name="release-pdf"),
    path("series/", views.explore, name="explore"),
    path("series/<str:sid>/", views.series, name="series"),
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
    path("account/alerts/", views.set_alerts, name="set-alerts"),
    path("account/feed/", views.issue_feed_token, name="issue-feed-token"),
    path("account/webhooks/", views.register_webhook, name="register-webhook"),
    path("account/webhooks/<int:pk>/disable/", views.disable_webhook, name="disable-webhook"),
    path("account/webhooks/<int:pk>/delete/", views.delete_webhook, name="delete-webhook"),
    # Django's password reset, in the portal's layout; the e-mail goes through EMAIL_BACKEND.
    _reset(
        "",
        auth_views.PasswordResetView,
        "password-reset",
        email_template_name="portal/password_reset_email.txt",
        subject_template_name="portal/password_reset_subject.txt",
        success_url=reverse_lazy("portal:password-reset-done"),
    ),
    _reset("sent/", auth_views.PasswordResetDoneView, "password-reset-done"),
    _reset(
        "<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView,
        "password-reset-confirm",
        success_url=reverse_lazy("portal:password-reset-complete"),
    ),
    _reset("done/", auth_views.PasswordResetCompleteView, "password-reset-complete"),
]
