"""The account page's delivery settings (alerts, webhooks) and password reset: who may do
what, CSRF on every write, nobody touches another subscriber's settings, bounded queries."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.contrib.auth.models import User
from django.core import mail
from django.test import Client
from django.utils import timezone

from metalstat.core.models import AuditEntry
from metalstat.delivery.actions import do_disable_webhook, do_register_webhook, do_set_alert_preferences
from metalstat.delivery.models import AlertPreference, AttemptOutcome, Channel, Delivery, DeliveryAttempt, Webhook
from metalstat.delivery.webhooks import deliver
from metalstat.subscriptions.actions import do_add_subscriber, do_create_organisation, do_grant_subscription
from metalstat.subscriptions.models import Subscriber
from tests.portal.conftest import World, a_call, reader_client, text_of, visible_text

PUBLIC = "https://93.184.216.34/hook"  # a public address given as such: no name to resolve


@pytest.fixture
def rival(world: World) -> Subscriber:
    """A subscriber of another organisation, with alerts and an endpoint of their own."""
    org = do_create_organisation("Desk Two", actor="admin")
    do_grant_subscription(org, "Alloys", groups=["alloys_and_steel"], actor="admin")
    sub = do_add_subscriber("rival", org, actor="admin")
    do_set_alert_preferences(sub, products=["npi"], email=True, actor="admin")
    do_register_webhook(sub, "https://93.184.216.35/theirs", actor="admin")
    return sub


def trader() -> Subscriber:
    return Subscriber.objects.get(user__username="trader")


def test_the_alert_settings_are_shown_and_saved(world: World) -> None:
    client = reader_client("trader")
    body = text_of(client.get("/account/"))
    # only the products the base-metals subscription covers are offered
    assert 'value="copper_cathode"' in body and 'value="npi"' not in body
    response = client.post("/account/alerts/", {"language": "zh-Hans", "products": ["copper_cathode"]})
    assert response.status_code == 302
    pref = AlertPreference.objects.get(subscriber=trader())
    assert (pref.email, pref.language, pref.products) == (False, "zh-Hans", ["copper_cathode"])
    body = text_of(client.get(response["Location"]))
    assert "Your alert settings are saved." in body
    assert re.search(r'value="copper_cathode" checked', body)
    assert re.search(r'<option value="zh-Hans" selected>', body)
    assert 'id="alert-email" checked' not in body and 'id="alert-email">' in body
    client.post("/account/alerts/", {"email": "on", "language": "en"})
    pref.refresh_from_db()
    assert (pref.email, pref.language, pref.products) == (True, "en", [])


def test_a_product_outside_the_subscriptions_or_a_bad_language_is_refused(world: World) -> None:
    client = reader_client("trader")
    response = client.post("/account/alerts/", {"email": "on", "language": "en", "products": ["npi"]})
    assert response.status_code == 400
    assert "Not covered by your subscriptions: npi" in text_of(response)
    response = client.post("/account/alerts/", {"email": "on", "language": "fr"})
    assert response.status_code == 400 and "is not one of" in text_of(response)
    assert not AlertPreference.objects.filter(subscriber=trader()).exists()


@pytest.mark.parametrize("who", ["ana", "stranger"])
def test_readers_without_a_subscriber_have_no_alerts_nor_webhooks(world: World, who: str) -> None:
    client = reader_client(who)
    assert "belong to a subscriber" in text_of(client.get("/account/"))
    assert client.post("/account/alerts/", {"email": "on", "language": "en"}).status_code == 404
    assert client.post("/account/webhooks/", {"url": PUBLIC}).status_code == 404
    assert client.post("/account/feed/").status_code == 404
    assert not AlertPreference.objects.exists() and not Webhook.objects.exists()


@pytest.mark.parametrize(
    "path",
    [
        "/account/alerts/",
        "/account/feed/",
        "/account/webhooks/",
        "/account/webhooks/1/disable/",
        "/account/password-reset/",
    ],
)
def test_every_write_needs_the_csrf_token(world: World, path: str) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(User.objects.get(username="trader"))
    assert client.post(path, {"url": PUBLIC, "email": "on", "language": "en"}).status_code == 403
    assert not Webhook.objects.exists() and not AlertPreference.objects.exists()


def test_anonymous_readers_are_sent_to_sign_in(world: World) -> None:
    client = Client()
    writes = ("/account/alerts/", "/account/webhooks/", "/account/webhooks/1/disable/", "/account/webhooks/1/delete/")
    for path in writes:
        response = client.post(path, {"url": PUBLIC})
        assert response.status_code == 302 and response["Location"].startswith("/account/sign-in/")
    assert not Webhook.objects.exists()


def test_a_webhook_is_registered_with_its_secret_once_listed_and_turned_off(world: World) -> None:
    client = reader_client("trader")
    response = client.post("/account/webhooks/", {"url": PUBLIC})
    assert response.status_code == 200 and response["Cache-Control"] == "no-store"
    hook = Webhook.objects.get(subscriber=trader())
    body = text_of(response)
    assert f'<code id="new-secret">{hook.secret}</code>' in body and hook.secret.startswith("whsec_")
    page = text_of(client.get("/account/"))
    assert PUBLIC in page and hook.secret not in page and f"/account/webhooks/{hook.pk}/disable/" in page
    assert client.post(f"/account/webhooks/{hook.pk}/disable/").status_code == 302
    hook.refresh_from_db()
    assert not hook.active and hook.disabled_reason == "removed by its owner"
    page = text_of(client.get("/account/"))
    assert f"/account/webhooks/{hook.pk}/disable/" not in page and "off (removed by its owner)" in page


def test_an_insecure_webhook_is_refused_with_the_actions_message(world: World) -> None:
    response = reader_client("trader").post("/account/webhooks/", {"url": "http://example.com"})
    assert response.status_code == 400
    assert "a webhook URL must use https (not http)" in text_of(response)
    assert not Webhook.objects.exists()


def test_nobody_touches_another_subscribers_webhooks_or_alerts(world: World, rival: Subscriber) -> None:
    theirs = Webhook.objects.get(subscriber=rival)
    client = reader_client("trader")
    body = text_of(client.get("/account/"))
    assert theirs.url not in body and theirs.secret not in body
    assert client.post(f"/account/webhooks/{theirs.pk}/disable/").status_code == 404
    assert client.post(f"/account/webhooks/{theirs.pk}/delete/").status_code == 404
    client.post("/account/alerts/", {"language": "zh-Hans", "products": []})
    theirs.refresh_from_db()
    assert theirs.active and theirs.deleted_at is None and theirs.secret.startswith("whsec_")
    pref = AlertPreference.objects.get(subscriber=rival)
    assert (pref.email, pref.language, pref.products) == (True, "en", ["npi"])


def test_the_latest_attempts_are_shown_from_the_delivery_log(world: World) -> None:
    hook = do_register_webhook(trader(), PUBLIC, actor="admin")
    now = timezone.now()
    delivery = Delivery.objects.create(
        release=world.june,
        channel=Channel.WEBHOOK,
        subscriber=trader(),
        webhook=hook,
        key="test-june-hook",
        release_at=now,
        next_attempt_at=now,
    )
    for n, outcome, detail in ((1, "failed", "HTTP 503"), (2, "sent", "HTTP 204")):
        at = now + timedelta(minutes=n)
        DeliveryAttempt.objects.create(
            delivery=delivery, number=n, started_at=at, at=at, outcome=outcome, detail=detail
        )
    body = text_of(reader_client("trader").get("/account/"))
    assert "2025-06.v1 #1" in body and "HTTP 503" in body and "HTTP 204" in body
    assert body.index("HTTP 204") < body.index("HTTP 503")  # newest first


def test_the_account_page_takes_a_bounded_number_of_queries(
    world: World, rival: Subscriber, django_assert_max_num_queries: object
) -> None:
    for n in range(4):
        do_register_webhook(trader(), f"https://93.184.216.{40 + n}/hook", actor="admin")
    client = reader_client("trader")
    client.get("/account/")
    # the page's eight (tests/portal/test_pages.py) and one for every endpoint's attempts
    with django_assert_max_num_queries(9):  # type: ignore[operator]
        assert client.get("/account/").status_code == 200


def test_the_password_is_reset_by_a_link_sent_by_e_mail(world: World) -> None:
    user = User.objects.get(username="trader")
    user.email = "trader@example.com"
    user.set_password("the-old-pass-phrase")
    user.save()
    client = Client()
    assert "Forgot your password?" in text_of(client.get("/account/sign-in/"))
    response = client.post("/account/password-reset/", {"email": "trader@example.com"})
    assert response.status_code == 302 and response["Location"] == "/account/password-reset/sent/"
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["trader@example.com"]
    link = re.search(r"https?://[^/\s]+(/account/password-reset/\S+/)", mail.outbox[0].body)
    assert link is not None, mail.outbox[0].body
    form = client.get(link.group(1), follow=True)
    assert form.status_code == 200 and 'name="new_password1"' in text_of(form)
    done = client.post(
        form.redirect_chain[-1][0],
        {"new_password1": "a-brand-new-phrase-42", "new_password2": "a-brand-new-phrase-42"},
    )
    assert done.status_code == 302 and done["Location"] == "/account/password-reset/done/"
    assert "Your password is set" in text_of(client.get(done["Location"]))
    assert client.login(username="trader", password="a-brand-new-phrase-42")
    # an unknown address is answered the same, and nothing is sent
    assert client.post("/account/password-reset/", {"email": "nobody@example.com"}).status_code == 302
    assert len(mail.outbox) == 1


def test_the_password_reset_pages_speak_chinese(world: World) -> None:
    client = Client()
    client.post("/i18n/setlang/", {"language": "zh-hans", "next": "/"})
    body = text_of(client.get("/account/password-reset/"))
    assert 'lang="zh-CN"' in body and "重置密码" in body


def test_the_personal_feed_address_is_shown_once_and_a_new_one_stops_the_old(world: World) -> None:
    client = reader_client("trader")
    assert "Make the feed address" in text_of(client.get("/account/"))
    response = client.post("/account/feed/")
    assert response.status_code == 200 and response["Cache-Control"] == "no-store"
    found = re.search(
        r'<code id="feed-url">https?://[^/]+(/feeds/personal/mfeed_[\w-]+\.atom)</code>', text_of(response)
    )
    assert found is not None
    first = found.group(1)
    feed = Client().get(first)  # a feed reader: no session
    assert feed.status_code == 200 and "<feed" in text_of(feed)
    page = text_of(client.get("/account/"))
    assert first not in page and "Make a new feed address" in page
    client.post("/account/feed/")
    assert Client().get(first).status_code == 404


def test_the_reset_mail_lands_in_the_demo_mailbox(world: World, settings: object, tmp_path: object) -> None:
    """With METALSTAT_EMAIL=file (the demo's backend) the message is one .eml in the folder."""
    from pathlib import Path

    settings.EMAIL_BACKEND = "metalstat.delivery.mailbox.MailboxBackend"  # type: ignore[attr-defined]
    settings.EMAIL_FILE_PATH = str(tmp_path)  # type: ignore[attr-defined]
    user = User.objects.get(username="trader")
    user.email = "trader@example.com"
    user.set_password("the-old-pass-phrase")  # Django resets only usable passwords
    user.save()
    assert Client().post("/account/password-reset/", {"email": "trader@example.com"}).status_code == 302
    files = list(Path(str(tmp_path)).glob("*.eml"))
    assert len(files) == 1 and "/account/password-reset/" in files[0].read_text("utf-8")


def test_the_subscriptions_are_named_in_the_readers_language(world: World) -> None:
    """The trader's grant of the base_metals group reads as its label, never the catalog code."""
    client = reader_client("trader")
    assert "Base metals</strong>: Base metals;" in text_of(client.get("/account/"))
    client.post("/i18n/setlang/", {"language": "zh-hans", "next": "/"})
    body = text_of(client.get("/account/"))
    assert "基本金属" in body and "base_metals" not in body


def test_a_deleted_webhook_goes_from_the_page_and_its_calls_stay_in_the_log(world: World) -> None:
    client = reader_client("trader")
    client.post("/account/webhooks/", {"url": PUBLIC})
    hook = Webhook.objects.get(subscriber=trader())
    call = a_call(hook, world, ("sent", "HTTP 204"))
    assert f"/account/webhooks/{hook.pk}/delete/" in text_of(client.get("/account/"))
    response = client.post(f"/account/webhooks/{hook.pk}/delete/")
    assert response.status_code == 302 and response["Location"] == "/account/?deleted=webhook#hooks-h"
    page = text_of(client.get(response["Location"]))
    assert PUBLIC not in page and "HTTP 204" not in page and 'id="hook-deleted"' in page
    # soft-deleted: off for good, the secret wiped; the call still says where it went
    hook.refresh_from_db()
    assert (hook.active, hook.secret, hook.disabled_reason) == (False, "", "deleted by its owner")
    assert hook.deleted_at is not None
    call.refresh_from_db()
    assert call.webhook == hook and call.webhook.url == PUBLIC and call.log.get().detail == "HTTP 204"
    entry = AuditEntry.objects.filter(model="delivery.webhook", object_id=str(hook.pk)).latest("at")
    assert entry.action == "delete" and entry.actor == "trader" and "secret" not in (entry.after or {})
    # a call still due for it is skipped, never signed with an empty secret
    assert deliver(call) == deliver(call) and deliver(call).outcome == AttemptOutcome.SKIPPED
    assert deliver(call).detail == "endpoint deleted"
    # gone for its owner: neither turned off nor deleted again, nor listed by the API
    assert client.post(f"/account/webhooks/{hook.pk}/delete/").status_code == 404
    assert client.post(f"/account/webhooks/{hook.pk}/disable/").status_code == 404
    listed = world.client("subscriber").get("/api/v1/webhooks").json()["webhooks"]
    assert listed == []
    assert world.client("subscriber").get(f"/api/v1/webhooks/{hook.pk}/deliveries").status_code == 404
    # the same address registered again is a new endpoint with a new secret
    client.post("/account/webhooks/", {"url": PUBLIC})
    again = Webhook.objects.get(subscriber=trader(), deleted_at=None)
    assert again.pk != hook.pk and again.active and again.secret.startswith("whsec_")
    assert PUBLIC in text_of(client.get("/account/"))


def test_a_turned_off_webhook_may_be_deleted_too(world: World) -> None:
    hook = do_disable_webhook(do_register_webhook(trader(), PUBLIC, actor="admin"), actor="admin")
    assert reader_client("trader").post(f"/account/webhooks/{hook.pk}/delete/").status_code == 302
    hook.refresh_from_db()
    assert hook.deleted_at is not None and hook.disabled_reason == "deleted by its owner"


def test_deleting_a_webhook_needs_the_csrf_token(world: World) -> None:
    hook = do_register_webhook(trader(), PUBLIC, actor="admin")
    client = Client(enforce_csrf_checks=True)
    client.force_login(User.objects.get(username="trader"))
    assert client.post(f"/account/webhooks/{hook.pk}/delete/").status_code == 403
    hook.refresh_from_db()
    assert hook.deleted_at is None and hook.active


# What delivery writes in its log, read on the Chinese page: each phrase translated, and of
# the Latin letters only what is not English (addresses in <code>, codes, names of things).
DELIVERY_LOG = (
    ("failed", "HTTP 503"),
    ("failed", "no answer: timed out"),
    ("failed", "HTTP 500; given up after 6 attempts"),
    ("failed", "HTTP 500; endpoint disabled after 10 failures in a row"),
    ("skipped", "endpoint disabled"),
    ("sent", "HTTP 204"),
)
NOT_ENGLISH = {"HTTP", "HTTPS", "API", "UTC", "CSV", "Atom", "https", "metalstat", "English"}
NOT_ENGLISH |= {"Standard", "Webhooks", "Webhook", "webhook"}  # the standard's name, the thing's
NAMES = {"Desk", "One", "Base", "metals", "notebook", "trader"}  # the world's organisation, grant, key, user


def latin_words(text: str) -> set[str]:
    return set(re.findall(r"[A-Za-z]{3,}", text)) - NOT_ENGLISH - NAMES


def test_the_chinese_account_page_has_no_english_the_delivery_log_included(world: World) -> None:
    hook = do_register_webhook(trader(), PUBLIC, actor="admin")
    a_call(hook, world, *DELIVERY_LOG[:3])
    off = do_register_webhook(trader(), "https://93.184.216.36/hook", actor="admin")
    a_call(off, world, *DELIVERY_LOG[3:])
    Webhook.objects.filter(pk=off.pk).update(
        active=False, disabled_reason="10 failures in a row; last: HTTP 500", disabled_at=timezone.now()
    )
    client = reader_client("trader")
    client.post("/i18n/setlang/", {"language": "zh-hans", "next": "/"})
    body = text_of(client.get("/account/"))
    main = visible_text(body.split('<main id="main">')[1].split("</main>")[0])
    assert latin_words(main) == set(), main
    # the phrases, as the page gives them
    assert "尝试6次后放弃" in main and "无应答：超时" in main and "连续失败10次；最后一次：HTTP状态码500" in main
    assert "端点已停用" in main and "HTTP状态码204" in main
    # the attributes a screen reader speaks, too
    spoken = " ".join(re.findall(r'(?:aria-label|title|data-confirm)="([^"]*)"', body))
    assert latin_words(re.sub(r"https://\S+", "", spoken)) == set(), spoken
    # a refused address, in Chinese with the action's reason
    refused = text_of(client.post("/account/webhooks/", {"url": "http://example.com"}))
    assert "webhook地址必须使用https（而非http）" in refused


def test_the_english_account_page_reads_delivery_as_written(world: World) -> None:
    hook = do_register_webhook(trader(), PUBLIC, actor="admin")
    a_call(hook, world, *DELIVERY_LOG[:3])
    body = text_of(reader_client("trader").get("/account/"))
    assert "HTTP 500; given up after 6 attempts" in body and "no answer: timed out" in body
