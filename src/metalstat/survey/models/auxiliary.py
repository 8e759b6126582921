"""Market series the report quotes beside the survey estimates."""

from __future__ import annotations

import math

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
    # A share (kind ratio, in %) of one flow in another: its year to date is the share of the
    # sums (100 × Σ numerator / Σ denominator), never an average of monthly shares.
    numerator = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="+", help_text="a share: the part"
    )
    denominator = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="+", help_text="a share: the whole"
    )

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
        parts = (self.numerator, self.denominator)
        if any(parts):
            whole = [p for p in parts if p is not None]
            if len(whole) < 2:
                raise ValidationError({"denominator": "a share names both its numerator and its denominator"})
            if self.kind != "ratio" or self.unit.strip() != "%":
                raise ValidationError({"kind": "a share of two series is a ratio in %"})
            if any(p.kind != "flow" for p in whole):
                raise ValidationError(
                    {"numerator": "a share's numerator and denominator are flows (summed over months)"}
                )
            if whole[0].unit != whole[1].unit:
                units = f"{whole[0].unit!r} and {whole[1].unit!r}"
                raise ValidationError({"denominator": f"numerator and denominator in {units}: not one unit"})
            if whole[0].pk == whole[1].pk or (self.pk is not None and any(p.pk == self.pk for p in whole)):
                raise ValidationError({"numerator": "a share is of two other series"})


class AuxiliaryOutlook(models.Model):
    """An analyst's expected value of a market series for a coming month, with its source:
    the report states it as an outlook, the API as the series' forecast."""

    SOURCES = (
        ("analyst", "analysts' judgement"),
        ("market", "market participants' expectations"),
        ("futures", "futures prices"),
        ("contracts", "contracts and tenders already signed"),
        ("model", "a statistical model"),
    )

    series = models.ForeignKey(AuxiliarySeries, on_delete=models.CASCADE, related_name="outlooks")
    month = models.DateField(help_text="first day of the month the outlook is for")
    value = models.FloatField()
    source = models.CharField(max_length=12, choices=SOURCES)
    detail = models.CharField(max_length=200, blank=True, help_text="what the source is, in English")
    detail_zh = models.CharField(max_length=200, blank=True, help_text="the same, in Chinese")
    entered_by = models.CharField(max_length=150)

    class Meta:
        ordering = ("series", "month")
        constraints = (models.UniqueConstraint(fields=["series", "month"], name="outlook_one_per_month"),)

    def __str__(self) -> str:
        return f"{self.series.code} {self.month:%Y-%m}: {self.value:g} ({self.source})"

    def clean(self) -> None:
        super().clean()
        if self.month and self.month.day != 1:
            raise ValidationError({"month": "an outlook is for a month: give its first day"})
        if bool(self.detail.strip()) != bool(self.detail_zh.strip()):
            raise ValidationError({"detail_zh": "the source's detail is read in both languages: give it in both"})
        if not math.isfinite(self.value):
            raise ValidationError({"value": f"{self.value!r} is not a finite number"})


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
