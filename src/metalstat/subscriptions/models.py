"""Organisations, subscriptions, subscribers, API keys and the access log."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone


class Organisation(models.Model):
    """A subscribing company: a trading desk, a fund, a producer's research team."""

    name = models.CharField(max_length=200, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("name",)

    def __str__(self) -> str:
        return self.name


class Subscription(models.Model):
    """What an organisation has paid for, for a time: product groups of the catalog (or
    products) and/or series key patterns, how far back, in which formats."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="subscriptions")
    name = models.CharField(max_length=100, help_text='e.g. "Base metals, full history"')
    groups = models.JSONField(default=list, blank=True, help_text="catalog chain groups or product codes granted")
    patterns = models.JSONField(default=list, blank=True, help_text="series key patterns granted, e.g. M.*.ACT.*._T.*")
    history_months = models.PositiveIntegerField(
        null=True, blank=True, help_text="months back from the latest period; empty: all"
    )
    formats = models.JSONField(default=list, blank=True, help_text="formats allowed (json, csv, xlsx ...); empty: all")
    starts_on = models.DateField(default=timezone.localdate)
    ends_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ("organisation", "name")

    def __str__(self) -> str:
        return f"{self.organisation}: {self.name}"


class Subscriber(models.Model):
    """A person (a Django user) reading for an organisation."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="subscriber")
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="subscribers")

    def __str__(self) -> str:
        return f"{self.user} ({self.organisation})"


class ApiKey(models.Model):
    """A key for the data API. The secret is shown once when made; only its SHA-256 digest is
    stored, with a short prefix to tell keys apart."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_keys")
    name = models.CharField(max_length=100)
    prefix = models.CharField(max_length=12, help_text="the key's first characters, to tell it")
    digest = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ("user", "-created_at")
        constraints = (models.UniqueConstraint(fields=["user", "name"], name="api_key_name_per_user"),)

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"


class AccessLog(models.Model):
    """One data request: who, with which key, what, how much, how it ended, how long."""

    at = models.DateTimeField(default=timezone.now, db_index=True)
    user = models.CharField(max_length=150, blank=True)
    key = models.ForeignKey(ApiKey, null=True, blank=True, on_delete=models.SET_NULL)
    path = models.CharField(max_length=500)
    series = models.TextField(blank=True, help_text="the series IDs or pattern asked for")
    vintage = models.CharField(max_length=100, blank=True, help_text="the as-of answered")
    rows = models.PositiveIntegerField(default=0)
    format = models.CharField(max_length=12, blank=True)
    status = models.PositiveSmallIntegerField()
    duration_ms = models.FloatField(default=0.0)
    preview = models.BooleanField(default=False, help_text="an analyst's embargoed preview")

    class Meta:
        ordering = ("-at",)
        permissions = (("preview_embargoed", "May preview embargoed vintages through the data API"),)

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M:%S} {self.user} {self.path} {self.status}"
