"""The portal in a real browser: sign in, the pages, the chart, the languages, the CSV
download, the embargo switching at release time, an unentitled product, API keys, and
axe-core's accessibility check; screenshots of the main pages in both languages at desktop
and phone width."""

from __future__ import annotations

import csv
import io
import json
import re
import urllib.request
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.utils import timezone

from metalstat.releases.models import Release
from tests.portal.conftest import World, a_call

PASSWORD = "copper-cathode-2025"


@pytest.fixture
def site(transactional_db: Any, world: World, live_server: Any) -> str:
    for name in ("trader", "chief"):
        user = User.objects.get(username=name)
        user.set_password(PASSWORD)
        user.save()
    return str(live_server.url)


def sign_in(page: Any, site: str, who: str = "trader") -> None:
    page.goto(f"{site}/account/sign-in/")
    page.fill("#id_username", who)
    page.fill("#id_password", PASSWORD)
    page.click("form.sign-in button[type=submit]")
    page.wait_for_url(f"{site}/")


def main_text(page: Any) -> str:
    return str(page.inner_text("body"))


def test_sign_in_read_the_chart_switch_languages_and_download_the_csv(page: Any, site: str) -> None:
    sign_in(page, site)
    assert "Copper Cathode" in main_text(page) and "1,200 mt" in main_text(page)
    page.click("text=Copper Cathode")
    page.wait_for_function("window.metalstatCharts && window.metalstatCharts['production-chart']")
    # copper's actual levels in the world: April, May and June 2025; no forecast figure; the
    # overlay: the same three months as first published (May at 1100, before its revision)
    option = "window.metalstatCharts['production-chart'].getOption()"
    # and YoY on demand: no YoY figure in the world, three empty bars
    assert page.evaluate(f"{option}.series.map(s => s.data.length)") == [3, 0, 3, 3]
    assert page.evaluate(f"{option}.series[2].data[1]") == ["2025-05", 1100.0]
    assert page.evaluate(f"{option}.series[0].data[1]") == ["2025-05", 1080.0]
    assert page.locator("#production-table tbody tr").count() == 3
    svg = page.locator("#production-chart svg")
    assert svg.count() == 1 and svg.bounding_box()["width"] > 600

    page.click("form.lang button[value=zh-hans]")
    page.wait_for_load_state()
    assert "产量" in main_text(page) and "1188吨" in main_text(page)
    page.goto(f"{site}/")  # remembered on the next page
    assert "最新发布" in main_text(page)
    page.click("form.lang button[value=en]")
    page.wait_for_load_state()
    assert "Latest release" in main_text(page)

    # the series page draws the latest values and, on demand, the first-published ones
    page.goto(f"{site}/series/M.COPPER_CATHODE.ACT.PRODUCTION._T.LEVEL/")
    page.wait_for_function("window.metalstatCharts && window.metalstatCharts['series-chart']")
    lines = "window.metalstatCharts['series-chart'].getOption().series.map(s => [s.name, s.data.length])"
    assert page.evaluate(lines) == [["Latest", 3], ["As first published", 3]]
    # the reader ticks May's and June's vintages: each is drawn as the series stood at its
    # release (May's left May at 1100 and June unpublished; June's revised May to 1080)
    page.check("input[name=vintage][value='2025-05.v1']")
    page.check("input[name=vintage][value='2025-06.v1']")
    page.click("form.series-view button[type=submit]")
    page.wait_for_url("**vintage=2025-06.v1**")
    page.wait_for_function("window.metalstatCharts && window.metalstatCharts['series-chart']")
    overlaid = (
        "window.metalstatCharts['series-chart'].getOption().series.filter(s => s.vintage).map(s => [s.vintage, s.data])"
    )
    assert page.evaluate(overlaid) == [
        ["2025-05.v1", [["2025-04", 1000.0], ["2025-05", 1100.0], ["2025-06", None]]],
        ["2025-06.v1", [["2025-04", 1000.0], ["2025-05", 1080.0], ["2025-06", 1188.0]]],
    ]
    assert page.locator("#series-table th.overlaid").count() == 2
    # the permalink keeps the choice: opened afresh, the same lines and ticks
    page.goto(page.url)
    page.wait_for_function("window.metalstatCharts && window.metalstatCharts['series-chart']")
    assert [v for v, _d in page.evaluate(overlaid)] == ["2025-05.v1", "2025-06.v1"]
    assert page.is_checked("input[name=vintage][value='2025-05.v1']")

    page.goto(f"{site}/products/copper_cathode/")
    with page.expect_download() as info:
        page.click("a.download[data-format=csv]")
    body = Path(info.value.path()).read_text("utf-8")
    rows = list(csv.DictReader(io.StringIO(body)))
    assert [(r["period"], float(r["value"])) for r in rows] == [
        ("2025-04", 1000.0),
        ("2025-05", 1080.0),
        ("2025-06", 1188.0),
    ]
    assert {r["series_id"] for r in rows} == {"M.COPPER_CATHODE.ACT.PRODUCTION._T.LEVEL"}


def test_a_scheduled_release_shows_no_number_before_its_time_and_all_after(page: Any, site: str, world: World) -> None:
    sign_in(page, site)
    for path in ("/", "/products/copper_cathode/", "/calendar/"):
        page.goto(f"{site}{path}")
        text = main_text(page)
        assert "7,800" not in text and "July 2025" not in text, path
    assert "Scheduled release" in main_text(page)
    page.goto(f"{site}/")
    # the countdown to July's release time (tomorrow), written by the page's script, ticks
    countdown = page.locator(".countdown")
    page.wait_for_function("document.querySelector('.countdown').textContent.includes(' s')")
    first = countdown.inner_text()
    assert re.fullmatch(r"(1 d )?\d+ h \d+ min \d+ s", first), first
    page.wait_for_function(f"document.querySelector('.countdown').textContent !== {first!r}")
    # the release time comes: July goes live, with no job to run
    Release.objects.filter(pk=world.july.pk).update(release_at=timezone.now() - timedelta(seconds=1))
    page.goto(f"{site}/")
    text = main_text(page)
    assert "July 2025" in text and "7,800 mt" in text
    page.goto(f"{site}/products/copper_cathode/")
    assert "7,800 mt" in main_text(page)


def test_an_unentitled_product_shows_what_it_is_and_no_number(page: Any, site: str) -> None:
    sign_in(page, site)
    page.goto(f"{site}/products/npi/")
    text = page.inner_text("main")
    assert "a subscription to Alloys and steel covers it" in text
    assert not any(ch.isdigit() for ch in text.replace("54 products", ""))
    assert page.locator("#production-chart").count() == 0


def test_an_api_key_made_on_the_account_page_reads_the_api(page: Any, site: str) -> None:
    sign_in(page, site)
    page.goto(f"{site}/account/")
    page.fill("#key-name", "notebook-2")
    page.click("form.new-key:not(.new-hook) button")
    secret = page.inner_text("#new-key").strip()
    request = urllib.request.Request(  # noqa: S310 (the live test server)
        f"{site}/api/v1/me", headers={"Authorization": f"Bearer {secret}"}
    )
    with urllib.request.urlopen(request) as answer:  # noqa: S310
        me = json.loads(answer.read())
    assert me["user"] == "trader" and me["key"]["name"] == "notebook-2"
    page.reload()
    assert secret not in page.content()


def test_alerts_are_set_and_a_webhook_refused_on_the_account_page(page: Any, site: str) -> None:
    from metalstat.delivery.models import AlertPreference

    sign_in(page, site)
    page.goto(f"{site}/account/")
    assert page.locator("input[name=products][value=npi]").count() == 0  # not covered
    page.uncheck("#alert-email")
    page.select_option("#alert-language", "zh-Hans")
    page.check("input[name=products][value=copper_cathode]")
    page.click("form.alerts button[type=submit]")
    page.wait_for_selector("text=Your alert settings are saved.")
    assert page.is_checked("input[name=products][value=copper_cathode]")
    assert not page.is_checked("#alert-email")
    pref = AlertPreference.objects.get(subscriber__user__username="trader")
    assert (pref.email, pref.language, pref.products) == (False, "zh-Hans", ["copper_cathode"])
    page.fill("#hook-url", "http://example.com/hook")
    page.click("form.new-hook button")
    assert "must use https" in page.inner_text("#webhook-error")
    # a public endpoint registered, then deleted: asked first (dismissed: nothing happens)
    page.fill("#hook-url", "https://93.184.216.34/hook")
    page.click("form.new-hook button")
    assert page.inner_text("#new-secret").startswith("whsec_")
    page.goto(f"{site}/account/")
    delete = "form[data-confirm] button"
    page.once("dialog", lambda dialog: dialog.dismiss())
    page.click(delete)
    assert page.locator(delete).count() == 1
    page.once("dialog", lambda dialog: dialog.accept())
    page.click(delete)
    page.wait_for_selector("#hook-deleted")
    assert page.locator(delete).count() == 0 and "93.184.216.34" not in page.inner_text("main")


PAGES = {
    "home": "/",
    "product": "/products/copper_cathode/",
    "release": "/releases/2025-06/",
    "calendar": "/calendar/",
    "series": "/series/M.COPPER_CATHODE.ACT.PRODUCTION._T.LEVEL/?period=2025-05&vintage=2025-05.v1&vintage=2025-06.v1",
    "account": "/account/",
}


def test_no_serious_accessibility_violation_and_screenshots(
    page: Any, site: str, screenshots: Path, world: World
) -> None:
    from axe_playwright_python.sync_playwright import Axe

    from metalstat.delivery.actions import do_register_webhook
    from metalstat.subscriptions.models import Subscriber

    # the account page with two endpoints and their delivery log
    trader = Subscriber.objects.get(user__username="trader")
    a_call(do_register_webhook(trader, "https://93.184.216.34/hook", actor="admin"), world, ("sent", "HTTP 204"))
    failing = do_register_webhook(trader, "https://93.184.216.35/metalstat/releases", actor="admin")
    a_call(failing, world, ("failed", "no answer: timed out"), ("failed", "HTTP 500; given up after 6 attempts"))
    axe = Axe()
    page.emulate_media(reduced_motion="reduce")  # the charts drawn at once: whole in the screenshots
    sign_in(page, site)
    for language in ("en", "zh-hans"):
        page.goto(f"{site}/")
        switch = page.locator(f"form.lang button[value={language}]")
        if switch.is_enabled():  # the current language's button is disabled
            switch.click()
            page.wait_for_load_state()
        for width, device in ((1280, "desktop"), (390, "phone")):
            page.set_viewport_size({"width": width, "height": 900 if width > 400 else 844})
            for name, path in PAGES.items():
                page.goto(f"{site}{path}")
                page.wait_for_load_state("networkidle")
                page.screenshot(path=str(screenshots / f"{name}.{language}.{device}.png"), full_page=True)
                # nothing wider than the phone's screen but the tables' own scroll boxes
                overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
                assert overflow <= 1, (name, language, device, overflow)
                if name in ("home", "product", "series", "account") and device == "desktop":
                    results = axe.run(page)
                    bad = [
                        (v["id"], v["impact"], [n["target"] for n in v["nodes"]][:3])
                        for v in results.response["violations"]
                        if v["impact"] in ("serious", "critical")
                    ]
                    assert bad == [], (name, language, bad)
