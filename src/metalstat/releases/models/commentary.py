"""Analysts' own words that go into the drafted report."""

from __future__ import annotations

from django.db import models

from metalstat.core.validators import validate_month_start, validate_product_code
from metalstat.releases.choices import CommentaryMode, Language


class Commentary(models.Model):
    """An analyst's paragraph for one slot of one product's section in one month's report.

    The report drafts every paragraph from the figures; a commentary replaces the drafted
    paragraph of its slot, or is inserted before or after it. ``product`` blank: a
    report-wide slot (such as the closing paragraph).
    """

    period = models.DateField(validators=[validate_month_start])
    product = models.CharField(max_length=40, blank=True, validators=[validate_product_code], help_text="catalog code")
    language = models.CharField(max_length=5, choices=Language.choices, default=Language.EN)
    slot = models.CharField(
        max_length=40,
        help_text='paragraph key, e.g. "production", "operating_rate", "drivers", "forecast", "end"',
    )
    mode = models.CharField(max_length=10, choices=CommentaryMode.choices, default=CommentaryMode.REPLACE)
    text = models.TextField()
    author = models.CharField(max_length=150)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ("period", "product", "language", "slot", "mode")
        verbose_name_plural = "commentaries"
        constraints = (
            models.UniqueConstraint(
                fields=["period", "product", "language", "slot", "mode"],
                name="commentary_one_per_slot_and_mode",
            ),
        )

    def __str__(self) -> str:
        return f"{self.period:%Y-%m} {self.product or '(report)'} {self.language} {self.slot}/{self.mode}"
