"""Releases (one month's edition, frozen as a vintage) and the figures they publish."""

from __future__ import annotations

from datetime import datetime

from django.db import models
from django.db.models import Q

from metalstat.core.validators import validate_month_start
from metalstat.releases.choices import ConfStatus, FigureKind, ObsStatus, ReleaseStatus


class Release(models.Model):
    """One edition of the monthly report: a vintage of figures and its path to publication.

    draft -> in_review -> approved -> published; a published release goes live at
    ``release_at`` (the embargo) and stays the current vintage of its month until a later
    vintage of the same month goes live, which marks it superseded. Its figures never change.
    """

    period = models.DateField(validators=[validate_month_start], help_text="the report month")
    vintage = models.PositiveIntegerField(help_text="1, 2, ... within the month")
    status = models.CharField(max_length=12, choices=ReleaseStatus.choices, default=ReleaseStatus.DRAFT)
    release_at = models.DateTimeField(null=True, blank=True, help_text="embargo: the figures go live at this time")
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.CharField(max_length=150)
    submitted_at = models.DateTimeField(null=True, blank=True)
    submitted_by = models.CharField(max_length=150, blank=True)
    reviewed_by = models.CharField(max_length=150, blank=True)
    approved_by = models.CharField(max_length=150, blank=True)
    approved_at = models.DateTimeField(null=True, blank=True)
    published_by = models.CharField(max_length=150, blank=True)
    published_at = models.DateTimeField(null=True, blank=True, help_text="when publish was done")
    superseded_at = models.DateTimeField(null=True, blank=True)
    note = models.TextField(blank=True)
    metadata = models.JSONField(
        default=dict, blank=True, help_text="how the vintage was made (engine version, run log)"
    )

    class Meta:
        ordering = ("-period", "-vintage")
        constraints = (
            models.UniqueConstraint(fields=["period", "vintage"], name="release_one_per_vintage"),
            models.CheckConstraint(condition=Q(vintage__gte=1), name="release_vintage_positive"),
            models.CheckConstraint(
                condition=~Q(status__in=["published", "superseded"]) | Q(release_at__isnull=False),
                name="release_published_has_release_at",
            ),
        )
        indexes = (models.Index(fields=["status", "release_at"], name="release_live_idx"),)

    def __str__(self) -> str:
        return f"{self.period:%Y-%m} v{self.vintage} ({self.status})"

    @property
    def label(self) -> str:
        return f"{self.period:%Y-%m} v{self.vintage}"

    @property
    def live_at(self) -> datetime:
        """The release time of a published or superseded release, which always has one (the
        constraint release_published_has_release_at); asking it of another release is a bug."""
        if self.release_at is None:
            raise ValueError(f"release {self.label} ({self.status}) has no release time")
        return self.release_at


class Figure(models.Model):
    """One published number: a series key and period with its value and attributes.

    The columns are those of the engine's FIGURES frame (SDMX-like: dimensions product, kind,
    measure, breakdown, statistic, period; the value; attributes unit, observation status,
    confidentiality and quality). A figure belongs to one release and is never edited.
    """

    release = models.ForeignKey(Release, on_delete=models.CASCADE, related_name="figures")
    product = models.CharField(max_length=40)
    kind = models.CharField(max_length=10, choices=FigureKind.choices)
    measure = models.CharField(max_length=30)
    breakdown = models.CharField(max_length=255, blank=True, help_text='"dim=value;..." or ""')
    statistic = models.CharField(max_length=30)
    period = models.CharField(max_length=20, help_text='"YYYY-MM" or "YYYY-MM..YYYY-MM"')
    value = models.FloatField(null=True, blank=True, help_text="empty when withheld")
    unit = models.CharField(max_length=30, blank=True)
    status = models.CharField(max_length=1, choices=ObsStatus.choices, default=ObsStatus["A"])
    flags = models.CharField(max_length=20, blank=True)
    conf_status = models.CharField(max_length=1, choices=ConfStatus.choices, default=ConfStatus["F"])
    coverage = models.FloatField(null=True, blank=True)
    response_rate = models.FloatField(null=True, blank=True)
    imputed_share = models.FloatField(null=True, blank=True)
    n_producers = models.IntegerField(null=True, blank=True)

    class Meta:
        constraints = (
            models.UniqueConstraint(
                fields=[
                    "release",
                    "product",
                    "kind",
                    "measure",
                    "breakdown",
                    "statistic",
                    "period",
                ],
                name="figure_one_per_key",
            ),
        )
        indexes = (models.Index(fields=["product", "measure", "statistic", "period"], name="figure_series_idx"),)

    def __str__(self) -> str:
        key = ",".join(x for x in (self.product, self.kind, self.measure, self.breakdown, self.statistic) if x)
        return f"{key} {self.period} = {self.value}"
