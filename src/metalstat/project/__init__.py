"""The Django project: settings, URLs and the management entry point."""
