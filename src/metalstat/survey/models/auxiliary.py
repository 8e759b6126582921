"""Market series the report quotes beside the survey estimates."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models

from metalstat.core.validators import validate_product_code
from metalstat.engine.auxiliary import kind_problems

# What a series is (engine.auxiliary.SERIES_KINDS): the report words each kind its own way.
KIND_CHOICES = (
    ("price", "price (monthly average)"),
    ("range", "price range (a low or high bound: code x_low / x_high)"),
    ("flow", "flow (summed over months)"),
    ("stock", "stock (end of month, never summed)"),
    ("ratio", "ratio (%, days; changes in points)"),
    ("fact", "fact (a capacity, a target: said once, no monthly change)"),
)


class AuxiliarySeries(models.Model):
    """A market series the report quotes but metalstat does not estimate.

    Prices, inventories, treatment charges, tender prices: collected from outside the survey
    and quoted in a product's commentary (``highlighted``: the analyst wants it quoted).
    """

    code = models.CharField(max_length=64, unique=True)
    name = models.CharField(max_length=200)
    name_zh = models.CharField(max_length=200, blank=True)
    unit = models.CharField(max_length=40)
    kind = models.CharField(max_length=8, choices=KIND_CHOICES, help_text="what the series is; the report words it so")
    product = models.CharField(max_length=40, blank=True, validators=[validate_product_code], help_text="catalog code")
    description = models.TextField(blank=True)
    highlighted = models.BooleanField(default=False, help_text="the analyst wants the report to quote it")

    class Meta:
        ordering = ("product", "code")
        verbose_name_plural = "auxiliary series"

    def __str__(self) -> str:
        return f"{self.code} ({self.unit})"

    def clean(self) -> None:
        super().clean()
        problems = kind_problems(self.kind, self.code, self.unit) if self.kind else []
        if problems:
            raise ValidationError({"kind": problems})


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
