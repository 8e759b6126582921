"""The analysts, editors and administrators groups with their permissions (core.roles)."""

from django.db import migrations

# Frozen here as they were when the groups were made; core.roles.ROLES is the live list.
ROLES = {
    "analysts": (
        "edit_register",
        "record_returns",
        "confirm_findings",
        "write_commentary",
        "run_month",
        "view_unreleased",
    ),
    "editors": ("review_release", "publish_release", "view_unreleased"),
    "administrators": ("manage_users", "manage_organisations", "manage_subscriptions"),
}


def create_groups(apps, schema_editor):  # type: ignore[no-untyped-def]
    from django.contrib.auth.management import create_permissions

    core = apps.get_app_config("core")
    core.models_module = True
    create_permissions(core, apps=apps, verbosity=0)
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, codenames in ROLES.items():
        group, _ = Group.objects.get_or_create(name=name)
        group.permissions.add(*Permission.objects.filter(content_type__app_label="core", codename__in=codenames))


def drop_groups(apps, schema_editor):  # type: ignore[no-untyped-def]
    apps.get_model("auth", "Group").objects.filter(name__in=list(ROLES)).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0002_role_permissions"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_groups, drop_groups)]
