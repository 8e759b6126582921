"""Market series the report quotes beside the survey estimates."""

from __future__ import annotations

from django.db import models

from metalstat.core.validators import validate_product_code


class AuxiliarySeries(models.Model):
    """A market series the report quotes but metalstat does not estimate.

    Prices, inventories, treatment charges, tender prices: collected from outside the survey
    and quoted in a product's commentary (``highlighted``: the analyst wants it quoted).
    """

    code = models.CharField(max_length=64, unique=True)
    name = models.CharField(max_length=200)
    name_zh = models.CharField(max_length=200, blank=True)
    unit = models.CharField(max_length=40)
    product = models.CharField(max_length=40, blank=True, validators=[validate_product_code], help_text="catalog code")
    description = models.TextField(blank=True)
    highlighted = models.BooleanField(default=False, help_text="the analyst wants the report to quote it")

    class Meta:
        ordering = ("product", "code")
        verbose_name_plural = "auxiliary series"

    def __str__(self) -> str:
        return f"{self.code} ({self.unit})"


class AuxiliaryObservation(models.Model):
    """One dated value of an auxiliary series."""

    series = models.ForeignKey(AuxiliarySeries, on_delete=models.CASCADE, related_name="observations")
    date = models.DateField()
    value = models.FloatField()
    note = models.TextField(blank=True)

    class Meta:
        ordering = ("series", "date")
        constraints = (models.UniqueConstraint(fields=["series", "date"], name="observation_one_per_date"),)

    def __str__(self) -> str:
        return f"{self.series.code} {self.date}: {self.value:g}"
