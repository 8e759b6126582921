"""Market series declare their kind; existing series get the kind the report used to infer
from their code, name and unit (the rules as they stood, frozen here), with two corrections
the declared kinds make possible: a bound of a range (``x_low``, ``x_high``) is a range, and
an "inventory" in days is days of cover (a ratio), not a stock."""

import re

from django.db import migrations, models

_KIND_WORDS = (
    ("stock", ("inventory", "inventories", "stock", "stocks")),
    ("ratio", ("share", "rate", "utilisation", "utilization")),
    ("fact", ("capacity", "target", "quota")),
    ("price", ("price", "tc", "premium", "cost")),
)


def _is_ratio_unit(unit):
    return unit.strip() in ("%", "days") or unit.startswith("% ")


def inferred_kind(code, unit, name=""):
    """The kind the report inferred before kinds were declared."""
    if (code.endswith("_low") or code.endswith("_high")) and "/" in unit:
        return "range"
    words = set(re.split(r"[^a-z0-9]+", f"{code} {name}".lower()))
    kind = next((k for k, marks in _KIND_WORDS if words & set(marks)), None)
    if kind is None:
        kind = "ratio" if _is_ratio_unit(unit) else "price" if "/" in unit else "flow"
    if kind in ("stock", "flow") and _is_ratio_unit(unit):
        return "ratio"
    if kind in ("stock", "flow") and "/" in unit:
        return "price"
    if kind == "price" and "/" not in unit:
        return "fact"
    if kind == "ratio" and not _is_ratio_unit(unit):
        return "fact"
    return kind


def fill_kinds(apps, schema_editor):
    AuxiliarySeries = apps.get_model("survey", "AuxiliarySeries")
    for s in AuxiliarySeries.objects.all():
        s.kind = inferred_kind(s.code, s.unit, s.name)
        s.save(update_fields=["kind"])


class Migration(migrations.Migration):
    dependencies = [
        ("survey", "0004_planned_breakdown_schedule_after_next"),
    ]

    operations = [
        migrations.AddField(
            model_name="auxiliaryseries",
            name="kind",
            field=models.CharField(
                choices=[
                    ("price", "price (monthly average)"),
                    ("range", "price range (a low or high bound: code x_low / x_high)"),
                    ("flow", "flow (summed over months)"),
                    ("stock", "stock (end of month, never summed)"),
                    ("ratio", "ratio (%, days; changes in points)"),
                    ("fact", "fact (a capacity, a target: said once, no monthly change)"),
                ],
                default="price",
                help_text="what the series is; the report words it so",
                max_length=8,
            ),
            preserve_default=False,
        ),
        migrations.RunPython(fill_kinds, migrations.RunPython.noop),
    ]
