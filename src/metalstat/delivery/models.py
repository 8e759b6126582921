"""Who wants to hear of a release and how, and what was sent to whom, when, with what outcome."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils import timezone

from metalstat.releases.models import Release
from metalstat.subscriptions.models import Subscriber


class AlertLanguage(models.TextChoices):
    EN = "en", "English"
    ZH_HANS = "zh-Hans", "简体中文"


class Channel(models.TextChoices):
    EMAIL = "email", "E-mail"
    WEBHOOK = "webhook", "Webhook"


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    SENDING = "sending", "Being sent (claimed by a worker)"
    RETRY = "retry", "Failed, to be tried again"
    SENT = "sent", "Sent"
    ABANDONED = "abandoned", "Given up after repeated failure"
    SKIPPED = "skipped", "Not sent (unsubscribed, endpoint disabled, nothing entitled)"


class AttemptOutcome(models.TextChoices):
    SENT = "sent", "Sent"
    FAILED = "failed", "Failed"
    SKIPPED = "skipped", "Skipped"


class AlertPreference(models.Model):
    """A subscriber's alerts: the language of their e-mail, the products they follow (empty:
    every product they are entitled to), whether they want e-mail, and the digest of their
    personal feed's read-only token (the token itself is shown once)."""

    subscriber = models.OneToOneField(Subscriber, on_delete=models.CASCADE, related_name="alerts")
    language = models.CharField(max_length=8, choices=AlertLanguage.choices, default=AlertLanguage.EN)
    products = models.JSONField(default=list, blank=True, help_text="catalog product codes; empty: all entitled")
    email = models.BooleanField(default=True, help_text="an e-mail at each release")
    feed_digest = models.CharField(max_length=64, blank=True, help_text="SHA-256 of the personal feed token")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = (
            models.UniqueConstraint(
                fields=["feed_digest"], condition=~Q(feed_digest=""), name="alert_feed_digest_unique"
            ),
        )

    def __str__(self) -> str:
        return f"alerts of {self.subscriber}"


class Webhook(models.Model):
    """An HTTPS endpoint a subscriber registered; signed with its own secret (Standard
    Webhooks), disabled after too many failures in a row.

    Deleting one (``delivery.actions.do_delete_webhook``) keeps the row, off for good, with its
    secret wiped and ``deleted_at`` set: the delivery log's calls keep saying where they went.
    Its owner no longer sees it, and the address may be registered again as a new endpoint."""

    subscriber = models.ForeignKey(Subscriber, on_delete=models.CASCADE, related_name="webhooks")
    url = models.URLField(max_length=500)
    secret = models.CharField(
        max_length=100, blank=True, help_text="whsec_…: the signing secret, shown to its owner (empty once deleted)"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    active = models.BooleanField(default=True)
    consecutive_failures = models.PositiveIntegerField(default=0)
    disabled_at = models.DateTimeField(null=True, blank=True)
    disabled_reason = models.CharField(max_length=200, blank=True)
    deleted_at = models.DateTimeField(
        null=True, blank=True, help_text="deleted by its owner: kept for the delivery log"
    )

    class Meta:
        ordering = ("subscriber", "created_at")
        constraints = (
            models.UniqueConstraint(
                fields=["subscriber", "url"], condition=Q(deleted_at__isnull=True), name="webhook_url_per_subscriber"
            ),
        )

    def __str__(self) -> str:
        return f"{self.url} ({self.subscriber})"


class ReleaseSchedule(models.Model):
    """A release's announced time as the calendar tells it: SEQUENCE raised at each move,
    cancelled when withdrawn; ``delivered_at`` when its deliveries were fanned out."""

    release = models.OneToOneField(Release, on_delete=models.CASCADE, related_name="schedule")
    release_at = models.DateTimeField(null=True, blank=True)
    sequence = models.PositiveIntegerField(default=0)
    cancelled = models.BooleanField(default=False)
    backfill = models.BooleanField(default=False, help_text="history loaded as released earlier: never delivered")
    updated_at = models.DateTimeField(default=timezone.now)
    fanned_out_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.release} at {self.release_at} (sequence {self.sequence})"


class Delivery(models.Model):
    """One message to one recipient about one release through one channel: made once (the
    idempotency key is unique), sent once, every attempt logged."""

    release = models.ForeignKey(Release, on_delete=models.CASCADE, related_name="deliveries")
    channel = models.CharField(max_length=10, choices=Channel.choices)
    subscriber = models.ForeignKey(Subscriber, on_delete=models.CASCADE, related_name="deliveries")
    webhook = models.ForeignKey(Webhook, null=True, blank=True, on_delete=models.CASCADE, related_name="deliveries")
    key = models.CharField(max_length=100, unique=True, help_text="idempotency key: release × channel × recipient")
    release_at = models.DateTimeField(help_text="the release time the delivery is for")
    status = models.CharField(max_length=10, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField()
    claim = models.CharField(max_length=40, blank=True, help_text="the worker's claim while it sends")
    lease_until = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name_plural = "deliveries"
        constraints = (
            models.UniqueConstraint(
                fields=["release", "channel", "subscriber"],
                condition=Q(channel="email"),
                name="delivery_one_email_per_release",
            ),
            models.UniqueConstraint(
                fields=["release", "channel", "webhook"],
                condition=Q(channel="webhook"),
                name="delivery_one_call_per_release",
            ),
            models.CheckConstraint(
                condition=Q(channel="email") | Q(webhook__isnull=False), name="delivery_webhook_has_endpoint"
            ),
        )
        indexes = (models.Index(fields=["status", "next_attempt_at"], name="delivery_due_idx"),)

    def __str__(self) -> str:
        return f"{self.key} ({self.status})"


class DeliveryAttempt(models.Model):
    """One try at a delivery: when, by which worker, how it ended, how long it took."""

    delivery = models.ForeignKey(Delivery, on_delete=models.CASCADE, related_name="log")
    number = models.PositiveIntegerField()
    started_at = models.DateTimeField()
    at = models.DateTimeField(help_text="when the outcome was known")
    outcome = models.CharField(max_length=10, choices=AttemptOutcome.choices)
    detail = models.CharField(max_length=500, blank=True)
    worker = models.CharField(max_length=40, blank=True)

    class Meta:
        ordering = ("delivery", "number")

    def __str__(self) -> str:
        return f"{self.delivery.key} #{self.number} {self.outcome}"
