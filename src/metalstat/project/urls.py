from django.contrib import admin
from django.urls import include, path

from metalstat.api import respondents as _respondents  # noqa: F401 (adds /api/v1/respondent/returns)
from metalstat.api.routes import api
from metalstat.delivery import urls as delivery_urls  # also adds /api/v1/webhooks to the data API

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
    path("workspace/", include("metalstat.workspace.urls")),
    path("", include(delivery_urls)),
    path("i18n/", include("django.conf.urls.i18n")),  # set_language: the portal's language switch
    path("", include("metalstat.portal.urls")),
]
