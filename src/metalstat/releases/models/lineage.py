"""What a vintage was made from: the run's validation findings, the status of every completed
cell and the weighted sample (in the shape of Statistics Canada's Banff: one row per finding,
one status per cell), so that any figure traces back to the returns behind it.

They belong to a release (a vintage): they are written in the same transaction as its
figures and, like them, never change.
"""

from __future__ import annotations

from django.db import models

from metalstat.releases.models.releases import Release


class Finding(models.Model):
    """One validation rule that fired on one producer's return when the vintage was run:
    which field, the rule, its severity, the value it saw, its message, and whether an analyst
    had confirmed it (warnings only: an error stops the run)."""

    release = models.ForeignKey(Release, on_delete=models.CASCADE, related_name="findings")
    producer = models.CharField(max_length=64, help_text="the producer's register code")
    product = models.CharField(max_length=40)
    period = models.DateField()
    field = models.CharField(max_length=40, help_text="the return field the rule is about")
    rule = models.CharField(max_length=60)
    severity = models.CharField(max_length=10)
    value = models.FloatField(null=True, blank=True)
    message = models.TextField(blank=True)
    confirmed = models.BooleanField(default=False)

    class Meta:
        ordering = ("release", "product", "producer", "rule")
        indexes = (models.Index(fields=["release", "product"], name="finding_release_product_idx"),)

    def __str__(self) -> str:
        return f"{self.producer} {self.period:%Y-%m} {self.rule} ({self.severity})"


class CellStatus(models.Model):
    """The status of one completed cell (producer × month × field) in a vintage: reported,
    edited (the answer in force is a corrected revision), imputed by a named method, or
    missing."""

    release = models.ForeignKey(Release, on_delete=models.CASCADE, related_name="cell_statuses")
    producer = models.CharField(max_length=64)
    product = models.CharField(max_length=40)
    period = models.DateField()
    field = models.CharField(max_length=40)
    status = models.CharField(max_length=10, help_text="reported | edited | imputed | missing")
    method = models.CharField(max_length=30, blank=True, help_text="the imputation method, or how it was reported")
    value = models.FloatField(null=True, blank=True)

    class Meta:
        ordering = ("release", "product", "producer", "period", "field")
        constraints = (
            models.UniqueConstraint(fields=["release", "producer", "period", "field"], name="cell_status_one_per_cell"),
        )
        indexes = (models.Index(fields=["release", "product", "period"], name="cell_release_product_idx"),)

    def __str__(self) -> str:
        return f"{self.producer} {self.period:%Y-%m} {self.field}: {self.status} {self.method}"


class SampleUnit(models.Model):
    """One producer of the weighted sample behind a vintage, in one month: its completed
    output, how it was obtained, its stratum, capacity and expansion weight, and the domains
    it counted in (size class, region, province, feedstock, nature, as they were at the run).
    A production level is Σ weight × value over its units, a domain's (a breakdown cell) the
    same over the units of the domain; an operating capacity Σ weight × operating capacity;
    an output-basis operating rate Σ value / Σ potential."""

    release = models.ForeignKey(Release, on_delete=models.CASCADE, related_name="sample")
    producer = models.CharField(max_length=64)
    product = models.CharField(max_length=40)
    period = models.DateField()
    stratum = models.CharField(max_length=200, blank=True)
    value = models.FloatField(null=True, blank=True, help_text="completed physical output")
    value_metal = models.FloatField(null=True, blank=True)
    method = models.CharField(max_length=30, help_text='"reported" or the imputation method')
    capacity = models.FloatField(null=True, blank=True, help_text="day-weighted capacity in force, unit/year")
    weight = models.FloatField(help_text="expansion weight w = C_h/c_h + C_uncovered/c_covered")
    operating_capacity = models.FloatField(null=True, blank=True, help_text="completed running capacity, unit/year")
    potential = models.FloatField(
        null=True, blank=True, help_text="output at the capacity in force over the month (capacity × month share)"
    )
    domains = models.JSONField(default=dict, blank=True, help_text="domain -> value the unit counted in")

    class Meta:
        ordering = ("release", "product", "period", "producer")
        constraints = (
            models.UniqueConstraint(fields=["release", "producer", "period"], name="sample_unit_one_per_month"),
        )
        indexes = (models.Index(fields=["release", "product", "period"], name="sample_release_product_idx"),)

    def __str__(self) -> str:
        return f"{self.producer} {self.period:%Y-%m} w={self.weight:.3f}"
