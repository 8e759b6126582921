"""Producers sending their own returns: a per-producer token issued by an analyst."""

from __future__ import annotations

from django.db import models
from django.utils import timezone

from metalstat.registry.models import Producer


class RespondentToken(models.Model):
    """A secret that lets one producer submit and read its own returns, and nothing else.

    Only a digest of the secret is stored (the secret is shown once, when issued); a revoked
    token stops working at once. Issued and revoked by analysts.
    """

    producer = models.ForeignKey(Producer, on_delete=models.PROTECT, related_name="respondent_tokens")
    prefix = models.CharField(max_length=16, help_text="the secret's first characters, to tell tokens apart")
    digest = models.CharField(max_length=64, unique=True)
    issued_by = models.CharField(max_length=150)
    issued_at = models.DateTimeField(default=timezone.now)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.CharField(max_length=150, blank=True)

    class Meta:
        ordering = ("producer", "-issued_at")

    def __str__(self) -> str:
        state = "revoked" if self.revoked_at else "active"
        return f"{self.producer.code} {self.prefix}… ({state})"
