"""Producers, their capacity history and their membership of the survey panel."""

from __future__ import annotations

from datetime import date

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q

from metalstat.core.validators import (
    catalog_product,
    code_key,
    code_problem,
    validate_code,
    validate_month_start,
    validate_product_code,
)
from metalstat.registry.choices import CapacityEvent, EnterpriseNature


class Producer(models.Model):
    """One plant (or enterprise) producing one product.

    A plant that makes two products of the catalog is two producers, so every return,
    capacity record and panel membership is about exactly one product. Province, region,
    enterprise nature and feedstock route are the attributes the estimates are broken down
    and stratified by; the size class follows from the capacity in force.
    """

    code = models.CharField(max_length=64, unique=True, validators=[validate_code], help_text="stable identifier")
    name = models.CharField(max_length=200)
    name_zh = models.CharField(max_length=200, blank=True)
    product = models.CharField(
        max_length=40, validators=[validate_product_code], db_index=True, help_text="catalog code"
    )
    province = models.CharField(max_length=60, blank=True)
    region = models.CharField(max_length=60, blank=True)
    nature = models.CharField(
        max_length=20, choices=EnterpriseNature.choices, blank=True, help_text="enterprise nature"
    )
    feedstock = models.CharField(
        max_length=60, blank=True, help_text="feedstock route, a value of the product's dimension"
    )
    country = models.CharField(max_length=60, default="China")
    notes = models.TextField(blank=True)
    contact = models.CharField(
        max_length=200, blank=True, help_text="who answers the survey at the plant: name, phone, e-mail"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ("product", "code")

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    def clean(self) -> None:
        errors: dict[str, str] = {}
        # Codes differing only in letter case (or width) would be two producers nobody can
        # tell apart: the same rule as the import's, for the admin, the workspace and actions.
        # (A code refused by its own validator is not looked up: a NUL cannot even be sent to
        # PostgreSQL.)
        readable = code_problem(self.code) is None
        near = (
            [
                c
                for c in Producer.objects.exclude(pk=self.pk)
                .filter(code__iexact=self.code)
                .values_list("code", flat=True)
                if code_key(c) == code_key(self.code)
            ]
            if readable
            else []
        )
        if near:
            errors["code"] = (
                f"{self.code!r} differs from the registered {near[0]!r} only in letter case; codes may not "
                f"differ by case alone: write {near[0]!r}, or choose a distinct code"
            )
        try:
            product = catalog_product(self.product)
        except ValidationError as exc:
            raise ValidationError({"product": exc.messages}) from exc
        if self.region and product.regions and self.region not in product.regions:
            errors["region"] = f"{self.region!r} is not a region of {product.code}: {', '.join(product.regions)}"
        if self.province and product.provinces and self.province not in product.provinces:
            errors["province"] = f"{self.province!r} is not a province listed for {product.code}"
        if self.feedstock:
            routes = next((d for d in product.dimensions if d.name == "feedstock"), None)
            if routes is None:
                errors["feedstock"] = f"{product.code} has no feedstock routes"
            elif self.feedstock not in routes.value_names():
                errors["feedstock"] = (
                    f"{self.feedstock!r} is not a feedstock route of {product.code}: {', '.join(routes.value_names())}"
                )
        if errors:
            raise ValidationError(errors)

    def capacity_at(self, on: date) -> float | None:
        """Nameplate capacity (unit/year) in force on a date; None before the first record.

        Uses prefetched ``capacity_records`` when present, so listing many producers with
        ``prefetch_related("capacity_records")`` costs one query.
        """
        records = [r for r in self.capacity_records.all() if r.valid_from <= on]
        if not records:
            return None
        return max(records, key=lambda r: r.valid_from).capacity

    def size_class(self, on: date) -> str | None:
        """The catalog size class for the capacity in force on a date."""
        capacity = self.capacity_at(on)
        if capacity is None:
            return None
        return catalog_product(self.product).size_class_for(capacity)

    def in_panel(self, period: date) -> bool:
        return any(m.covers(period) for m in self.panel_memberships.all())


class CapacityRecord(models.Model):
    """The nameplate capacity of a producer, in force from a date until its next record.

    Commissioning, expansion, replacement, reduction and closure (capacity 0) are new
    records, never edits, so the frame of any past month can be rebuilt. A blank event marks
    the capacity as first registered.
    """

    producer = models.ForeignKey(Producer, on_delete=models.PROTECT, related_name="capacity_records")
    valid_from = models.DateField()
    capacity = models.FloatField(help_text="product unit per year")
    event = models.CharField(max_length=20, choices=CapacityEvent.choices, blank=True)
    note = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("producer", "valid_from")
        constraints = (
            models.UniqueConstraint(fields=["producer", "valid_from"], name="capacity_one_record_per_date"),
            models.CheckConstraint(condition=Q(capacity__gte=0), name="capacity_not_negative"),
        )

    def __str__(self) -> str:
        return f"{self.producer.code} {self.valid_from}: {self.capacity:g}"


class PanelMembership(models.Model):
    """A producer is surveyed every month from ``first_period`` to ``last_period``.

    Periods are the first day of a month; an open ``last_period`` means still surveyed. A
    producer's memberships never overlap, so "was it in the panel in month t" has one answer.
    """

    producer = models.ForeignKey(Producer, on_delete=models.PROTECT, related_name="panel_memberships")
    first_period = models.DateField(validators=[validate_month_start])
    last_period = models.DateField(null=True, blank=True, validators=[validate_month_start])
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("producer", "first_period")
        constraints = (
            models.UniqueConstraint(fields=["producer", "first_period"], name="panel_one_membership_per_start"),
            models.CheckConstraint(
                condition=Q(last_period__isnull=True) | Q(last_period__gte=models.F("first_period")),
                name="panel_ends_after_start",
            ),
        )

    def __str__(self) -> str:
        end = self.last_period.strftime("%Y-%m") if self.last_period else "…"
        return f"{self.producer.code} {self.first_period:%Y-%m}..{end}"

    def covers(self, period: date) -> bool:
        return self.first_period <= period and (self.last_period is None or period <= self.last_period)

    def overlaps(self, first: date, last: date | None) -> bool:
        return first <= (self.last_period or date.max) and self.first_period <= (last or date.max)

    def clean(self) -> None:
        if self.last_period and self.first_period and self.last_period < self.first_period:
            raise ValidationError({"last_period": "the membership ends before it starts"})
        if self.producer_id is None or self.first_period is None:
            return
        others = PanelMembership.objects.filter(producer_id=self.producer_id).exclude(pk=self.pk)
        for other in others:
            if other.overlaps(self.first_period, self.last_period):
                raise ValidationError(f"overlaps the producer's panel membership {other}")
