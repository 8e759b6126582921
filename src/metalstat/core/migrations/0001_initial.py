# The audit log moves from the registry to core without losing a row: the model is taken
# over in the migration state as it stands on the registry's table, then the table is
# renamed to core's (registry.0002 drops the model from the registry's state).

import django.core.serializers.json
import django.utils.timezone
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ("registry", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="AuditEntry",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("at", models.DateTimeField(db_index=True, default=django.utils.timezone.now)),
                        ("actor", models.CharField(help_text="user name, or the tool that acted", max_length=150)),
                        ("action", models.CharField(choices=[("create", "Create"), ("update", "Update"), ("delete", "Delete")], max_length=10)),
                        ("model", models.CharField(help_text="app_label.model_name", max_length=100)),
                        ("object_id", models.CharField(max_length=64)),
                        ("object_repr", models.CharField(blank=True, max_length=200)),
                        ("before", models.JSONField(blank=True, encoder=django.core.serializers.json.DjangoJSONEncoder, null=True)),
                        ("after", models.JSONField(blank=True, encoder=django.core.serializers.json.DjangoJSONEncoder, null=True)),
                        ("source", models.CharField(blank=True, help_text="where the change came from, e.g. an import file", max_length=255)),
                    ],
                    options={
                        "verbose_name_plural": "audit entries",
                        "ordering": ("-at", "-id"),
                        "indexes": [models.Index(fields=["model", "object_id"], name="audit_object_idx")],
                        "db_table": "registry_auditentry",
                    },
                ),
            ],
            database_operations=[],
        ),
        migrations.AlterModelTable(name="auditentry", table=None),
    ]
