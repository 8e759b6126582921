"""Delivery's texts on the account page in the reader's language: each phrase held to what
delivery really writes (its refusals of an address, the log of an endpoint failing until it
is turned off), read in Chinese without an English word and in English exactly as written."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.utils import translation

from metalstat.delivery.actions import MAX_WEBHOOKS, do_register_webhook
from metalstat.delivery.models import DeliveryAttempt
from metalstat.delivery.sending import drain, fan_out
from metalstat.delivery.webhooks import UnsafeEndpoint, check_url
from metalstat.portal.delivery_texts import reasons, translated
from tests.delivery.conftest import (
    People,
    Receiver,
    approved,
    delivery_settings,
    hook_for,
    people,
    publish,
    receiver,
    soon,
)

__all__ = ["delivery_settings", "people", "receiver"]  # the delivery tests' fixtures

LATIN_WORD = re.compile(r"[A-Za-z]{3,}")
NOT_ENGLISH = {"HTTP", "webhook", "https", "http"}


def english_left(text: str) -> set[str]:
    """The Latin words of a Chinese text, but for the quoted address, host or e-mail it names."""
    return set(LATIN_WORD.findall(re.sub(r"'[^']*'|\d+\.\d+\.\d+\.\d+|\S+@\S+", "", text))) - NOT_ENGLISH


def in_both(text: str) -> tuple[str, str]:
    with translation.override("en"):
        english = translated(text)
    with translation.override("zh-hans"):
        chinese = translated(text)
    return english, chinese


@pytest.mark.parametrize(
    "url",
    [
        "http://93.184.216.34/hook",  # plain HTTP
        "https://user:pass@93.184.216.34/hook",  # a secret in the address
        "https:///hook",  # no host
        "https://93.184.216.34:99999/hook",  # no such port
        "https://10.1.2.3/hook",  # internal
        "https://bad..name/hook",  # not a host name (refused before any look-up)
    ],
)
def test_every_refusal_of_an_address_reads_in_chinese(url: str) -> None:
    with pytest.raises(UnsafeEndpoint) as refused:
        check_url(url)
    english, chinese = in_both(str(refused.value))
    assert english == str(refused.value)
    assert chinese != english and english_left(chinese) == set(), chinese


def test_too_many_endpoints_reads_in_chinese(people: People) -> None:
    for n in range(MAX_WEBHOOKS):
        do_register_webhook(people.en, f"https://93.184.216.{40 + n}/hook", actor="admin")
    with pytest.raises(ValidationError) as refused:
        do_register_webhook(people.en, "https://93.184.216.99/hook", actor="admin")
    messages = refused.value.message_dict["url"]
    with translation.override("zh-hans"):
        assert reasons(messages) == f"每个订阅用户最多{MAX_WEBHOOKS}个启用的端点"
    with translation.override("en"):
        assert reasons(messages) == "; ".join(messages)


def test_the_log_of_an_endpoint_failing_until_turned_off_reads_in_chinese(
    db: Any, people: People, delivery_settings: Path, receiver: Receiver, settings: Any
) -> None:
    """The release's two e-mails sent; two calls answered 500, then the endpoint turned off."""
    settings.METALSTAT_WEBHOOK_DISABLE_AFTER = 2
    receiver.fail = 100
    hook = hook_for(people.en, receiver.url)
    at = soon(30)
    june = publish(approved(), at)
    with time_machine.travel(at + timedelta(seconds=1), tick=True):
        fan_out(june.pk, at.isoformat())
        drain()
    hook.refresh_from_db()
    written = [*DeliveryAttempt.objects.values_list("detail", flat=True), hook.disabled_reason]
    assert len(written) == 5 and not hook.active
    for text in written:
        english, chinese = in_both(text)
        assert english == text
        assert english_left(chinese) == set(), (text, chinese)
    # 2 failures in a row; last: HTTP 500  ->  连续失败2次；最后一次：HTTP状态码500
    assert in_both(hook.disabled_reason)[1] == "连续失败2次；最后一次：HTTP状态码500"
    for skipped in ("endpoint disabled", "endpoint deleted"):
        assert english_left(in_both(skipped)[1]) == set()


def test_a_text_of_no_known_phrase_is_shown_as_written() -> None:
    with translation.override("zh-hans"):
        assert translated("OSError: something new") == "OSError: something new"
        assert translated("no answer: [Errno 113] No route to host") == "无应答：[Errno 113] No route to host"
