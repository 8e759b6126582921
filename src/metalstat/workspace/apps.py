from django.apps import AppConfig


class WorkspaceConfig(AppConfig):
    name = "metalstat.workspace"
    label = "workspace"
    verbose_name = "analysts' workspace"
