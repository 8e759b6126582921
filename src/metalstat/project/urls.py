from django.contrib import admin
from django.urls import include, path

from metalstat.api.routes import api

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
    path("workspace/", include("metalstat.workspace.urls")),
]
