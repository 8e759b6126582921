"""What producers tell the survey each month, and what analysts confirm about it."""

from __future__ import annotations

from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from metalstat.catalog.vocabulary import RETURN_VALUES
from metalstat.core.validators import validate_month_start
from metalstat.registry.models import Producer
from metalstat.survey.choices import EventReason, ReturnSource, ReturnStatus

# The values of a return that the survey stores and compares between revisions.
RETURN_VALUE_FIELDS = RETURN_VALUES


class SurveyReturnQuerySet(models.QuerySet["SurveyReturn"]):
    def current(self) -> SurveyReturnQuerySet:
        """Only the latest revision of each producer and month: the answer in force."""
        newer = SurveyReturn.objects.filter(
            producer_id=OuterRef("producer_id"),
            period=OuterRef("period"),
            revision__gt=OuterRef("revision"),
        )
        return self.filter(~Exists(newer))


class SurveyReturn(models.Model):
    """One revision of a producer's answer for one month.

    Actual output (physical and, where the product has one, metal content), the schedule for
    the next month (with its planned breakdown quantities) and, where the producer plans that
    far, for the month after, operating capacity, status, breakdown quantities and a reason. A changed
    answer is a new revision with a higher number; the highest revision is the answer in
    force and earlier ones stay for the record. A producer that did not answer has no row.
    """

    producer = models.ForeignKey(Producer, on_delete=models.PROTECT, related_name="returns")
    period = models.DateField(validators=[validate_month_start], help_text="first of the month")
    revision = models.PositiveIntegerField(default=1)
    output = models.FloatField(null=True, blank=True, help_text="physical content, unit")
    output_metal = models.FloatField(null=True, blank=True, help_text="metal content, unit")
    schedule = models.FloatField(null=True, blank=True, help_text="planned physical output for the next month")
    schedule_metal = models.FloatField(null=True, blank=True)
    schedule_after_next = models.FloatField(
        null=True, blank=True, help_text="planned physical output for the month after next"
    )
    operating_capacity = models.FloatField(null=True, blank=True, help_text="capacity running at month end, unit/year")
    schedule_operating_capacity = models.FloatField(
        null=True, blank=True, help_text="capacity planned to run at next month end, unit/year"
    )
    status = models.CharField(max_length=20, choices=ReturnStatus.choices, default=ReturnStatus["NORMAL"])
    breakdown = models.JSONField(
        default=dict,
        blank=True,
        encoder=DjangoJSONEncoder,
        help_text='quantities by dimension: {"series": {"200": 1200.0, "300": 800.0}}',
    )
    schedule_breakdown = models.JSONField(
        default=dict,
        blank=True,
        encoder=DjangoJSONEncoder,
        help_text="the next month's planned quantities by dimension, shaped as breakdown",
    )
    reason = models.TextField(blank=True, help_text="the producer's own words on a change")
    source = models.CharField(max_length=20, choices=ReturnSource.choices)
    collected_at = models.DateTimeField(default=timezone.now)
    collected_by = models.CharField(max_length=150, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = SurveyReturnQuerySet.as_manager()

    class Meta:
        ordering = ("producer", "period", "revision")
        constraints = (
            models.UniqueConstraint(fields=["producer", "period", "revision"], name="return_one_row_per_revision"),
            models.CheckConstraint(condition=Q(revision__gte=1), name="return_revision_positive"),
            models.CheckConstraint(
                condition=Q(output__isnull=True) | Q(output__gte=0),
                name="return_output_not_negative",
            ),
            models.CheckConstraint(
                condition=Q(output_metal__isnull=True) | Q(output_metal__gte=0),
                name="return_output_metal_not_negative",
            ),
            models.CheckConstraint(
                condition=Q(schedule__isnull=True) | Q(schedule__gte=0),
                name="return_schedule_not_negative",
            ),
            models.CheckConstraint(
                condition=Q(schedule_metal__isnull=True) | Q(schedule_metal__gte=0),
                name="return_schedule_metal_not_negative",
            ),
            models.CheckConstraint(
                condition=Q(schedule_after_next__isnull=True) | Q(schedule_after_next__gte=0),
                name="return_schedule_after_next_not_negative",
            ),
            models.CheckConstraint(
                condition=Q(operating_capacity__isnull=True) | Q(operating_capacity__gte=0),
                name="return_operating_capacity_not_negative",
            ),
            models.CheckConstraint(
                condition=Q(schedule_operating_capacity__isnull=True) | Q(schedule_operating_capacity__gte=0),
                name="return_schedule_operating_capacity_not_negative",
            ),
        )
        indexes = (models.Index(fields=["period"], name="return_period_idx"),)

    def __str__(self) -> str:
        return f"{self.producer.code} {self.period:%Y-%m} r{self.revision}"

    def answer(self) -> dict[str, object]:
        """The answer itself, without bookkeeping, for comparing revisions."""
        return {name: getattr(self, name) for name in RETURN_VALUE_FIELDS}


class MaintenanceEvent(models.Model):
    """A planned or unplanned stop or cut at a producer: dates, capacity affected, reason."""

    producer = models.ForeignKey(Producer, on_delete=models.PROTECT, related_name="maintenance_events")
    start = models.DateField()
    end = models.DateField(null=True, blank=True, help_text="empty while open-ended")
    capacity_affected = models.FloatField(null=True, blank=True, help_text="unit/year")
    reason = models.CharField(max_length=30, choices=EventReason.choices)
    planned = models.BooleanField(default=True)
    description = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ("producer", "start")
        constraints = (
            models.UniqueConstraint(fields=["producer", "start", "reason"], name="event_one_per_start_and_reason"),
            models.CheckConstraint(
                condition=Q(end__isnull=True) | Q(end__gte=models.F("start")),
                name="event_ends_after_start",
            ),
            models.CheckConstraint(
                condition=Q(capacity_affected__isnull=True) | Q(capacity_affected__gte=0),
                name="event_capacity_not_negative",
            ),
        )

    def __str__(self) -> str:
        end = f"{self.end}" if self.end else "open"
        return f"{self.producer.code} {self.reason} {self.start}..{end}"


class ValidationConfirmation(models.Model):
    """An analyst's confirmation that a validation warning on a return is understood.

    A confirmed warning no longer holds the monthly cycle; the reason says why the value
    stands (e.g. the producer confirmed a new line on the phone).
    """

    producer = models.ForeignKey(Producer, on_delete=models.PROTECT, related_name="validation_confirmations")
    period = models.DateField(validators=[validate_month_start])
    rule = models.CharField(max_length=60, help_text="the validation rule's name")
    reason = models.TextField()
    confirmed_by = models.CharField(max_length=150)
    confirmed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ("period", "producer", "rule")
        constraints = (
            models.UniqueConstraint(fields=["producer", "period", "rule"], name="confirmation_one_per_rule"),
        )

    def __str__(self) -> str:
        return f"{self.producer.code} {self.period:%Y-%m} {self.rule}"


class FindingFollowUp(models.Model):
    """An analyst's mark on a validation finding of a return: someone follows it up (a call to
    make, a visit, a document to wait for), with a note. It is a note on the finding, not a
    decision: it neither confirms a warning nor excuses an error, so it changes nothing the
    cycle checks (an error still stops the run, a warning still waits for a reason)."""

    producer = models.ForeignKey(Producer, on_delete=models.PROTECT, related_name="finding_follow_ups")
    period = models.DateField(validators=[validate_month_start])
    rule = models.CharField(max_length=60, help_text="the validation rule's name")
    note = models.TextField(help_text="what is being followed up, by whom")
    marked_by = models.CharField(max_length=150)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ("period", "producer", "rule")
        constraints = (models.UniqueConstraint(fields=["producer", "period", "rule"], name="follow_up_one_per_rule"),)

    def __str__(self) -> str:
        return f"{self.producer.code} {self.period:%Y-%m} {self.rule} (follow-up)"
