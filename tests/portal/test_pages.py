"""Every portal page for every kind of reader: status, what is shown and what never is, and
how many queries it takes."""

from __future__ import annotations

import json
import re

import pytest
from django.test import Client

from tests.portal.conftest import (
    EMBARGOED,
    READERS,
    SUPPRESSED,
    World,
    figures_text,
    reader_client,
    text_of,
    visible_text,
)

PAGES = (
    "/",
    "/products/copper_cathode/",
    "/products/npi/",
    "/releases/2025-06/",
    "/releases/2025-05/v1/",
    "/calendar/",
    "/account/",
    "/series/",
    "/series/M.COPPER_CATHODE.ACT.PRODUCTION._T.LEVEL/?period=2025-06",
)


@pytest.mark.parametrize("who", READERS)
@pytest.mark.parametrize("path", PAGES)
def test_every_page_answers_every_reader_and_never_shows_the_embargoed_vintage(
    world: World, who: str, path: str
) -> None:
    response = reader_client(who).get(path)
    if who == "anonymous" and path == "/account/":
        assert response.status_code == 302 and response["Location"].startswith("/account/sign-in/")
        response = reader_client(who).get(response["Location"])
    assert response.status_code == 200, (who, path)
    body = figures_text(response)
    if who != "chief":  # only the analyst with the preview permission previews
        for value in EMBARGOED:
            assert value not in body, (who, path, value)
        assert "under embargo" not in body
    for value in SUPPRESSED:
        assert value not in body, (who, path, value)
    assert "private" in response["Cache-Control"]


def test_the_embargoed_month_is_not_found_before_its_time(world: World) -> None:
    for who in ("anonymous", "trader", "ana"):
        assert reader_client(who).get("/releases/2025-07/").status_code == 404
    preview = reader_client("chief").get("/releases/2025-07/")
    assert preview.status_code == 200
    body = figures_text(preview)
    assert "Preview" in body and "under embargo" in body and "7,800 mt" in body


def test_the_calendar_shows_a_scheduled_release_by_its_time_only(world: World) -> None:
    body = figures_text(reader_client("trader").get("/calendar/"))
    assert "Scheduled release" in body and "2025-07" not in body
    # Beijing time and UTC, eight hours apart, and the iCalendar feed
    july = world.july.release_at
    assert july is not None
    assert f"{july.astimezone(__import__('zoneinfo').ZoneInfo('Asia/Shanghai')):%H:%M}" in body
    assert f"{july.astimezone(__import__('datetime').UTC):%H:%M} UTC" in body
    assert 'href="/calendar.ics"' in body


def test_home_gives_the_entitled_figures_and_says_what_covers_the_others(world: World) -> None:
    body = figures_text(reader_client("trader").get("/"))
    # June's copper: 1188 mt, printed as the report prints tonnes (to the hundred), +10.00% MoM
    assert "1,200 mt" in body and "+10.00%" in body
    assert "520" not in body  # NPI: alloys and steel, not in the base-metals subscription
    assert "covered by a subscription to Alloys and steel" in body
    assert "Next release" in body and "data-countdown" in body


def test_anonymous_readers_see_the_products_and_no_figure(world: World) -> None:
    body = figures_text(reader_client("anonymous").get("/"))
    assert "Copper Cathode" in body and "Sign in" in body
    assert "1,200" not in body and "1188" not in body and "520" not in body and "+10.00%" not in body


def test_a_stranger_without_subscription_sees_no_figure(world: World) -> None:
    body = figures_text(reader_client("stranger").get("/products/copper_cathode/"))
    assert "1,200" not in body and "1188" not in body and "covers it" in body


def test_the_product_page_shows_the_series_as_the_api_answers_it(world: World) -> None:
    body = figures_text(reader_client("trader").get("/products/copper_cathode/"))
    # May as revised by June's release (1080); as first published (1100) only in the overlay
    data = json.loads(body.split('<script id="production-data" type="application/json">')[1].split("</script>")[0])
    assert data["actual"][1] == ["2025-05", 1080.0] and data["first"][1] == ["2025-05", 1100.0]
    assert body.count("1100.0") == 1
    assert '["2025-06", 1188.0]' in body and "1,200 mt" in body
    # the confidential share: a dash and its status, never the value
    assert '<span class="hidden-value" title="suppressed for confidentiality' in body
    assert "/api/v1/data/M.COPPER_CATHODE.ACT+FCST.PRODUCTION._T.LEVEL/file.csv?start=2024-06&amp;end=2025-07" in body
    assert "pd.read_csv(" in body and "curl -H" in body


def test_an_unentitled_product_page_says_what_it_is_and_which_subscription_covers_it(world: World) -> None:
    body = figures_text(reader_client("trader").get("/products/npi/"))
    assert "NPI" in body and "a subscription to Alloys and steel covers it" in body
    assert "520" not in body and "production-chart" not in body


def test_the_analyst_sees_the_live_vintage_without_the_preview_permission(world: World) -> None:
    body = figures_text(reader_client("ana").get("/products/copper_cathode/"))
    assert "1,200 mt" in body and "1188.0" in body and "under embargo" not in body


def test_the_previewing_analyst_sees_july_with_the_banner(world: World) -> None:
    body = figures_text(reader_client("chief").get("/"))
    assert "under embargo" in body and "7,800 mt" in body


def test_unknown_product_and_bad_months_are_404(world: World) -> None:
    client = reader_client("trader")
    assert client.get("/products/unobtainium/").status_code == 404
    assert client.get("/products/copper_cathode/?start=2025-13").status_code == 404
    assert client.get("/releases/June/").status_code == 404


@pytest.mark.parametrize(
    ("path", "most"),
    [
        ("/", 12),
        ("/products/copper_cathode/", 16),
        ("/releases/2025-06/", 14),
        ("/calendar/", 8),
        ("/series/M.COPPER_CATHODE.ACT.PRODUCTION._T.LEVEL/", 10),
        ("/account/", 8),
    ],
)
def test_query_counts(world: World, django_assert_max_num_queries: object, path: str, most: int) -> None:
    client = reader_client("trader")
    client.get(path)  # per-process caches (the series index, the drafted report) warm
    with django_assert_max_num_queries(most):  # type: ignore[operator]
        assert client.get(path).status_code == 200


def test_the_language_is_switched_and_remembered(world: World) -> None:
    client = reader_client("trader")
    response = client.post("/i18n/setlang/", {"language": "zh-hans", "next": "/products/copper_cathode/"})
    assert response.status_code == 302 and response["Location"] == "/products/copper_cathode/"
    body = figures_text(client.get("/products/copper_cathode/"))
    # the report's Chinese number style (below 10,000 t in 吨, above in 万吨); the page's words
    assert "1188吨" in body and "环比" in body and "下载" in body and 'lang="zh-CN"' in body
    body = figures_text(client.get("/"))
    assert "最新发布" in body
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert "Latest release" in text_of(client.get("/"))


def test_sign_in_and_out(world: World) -> None:
    from django.contrib.auth.models import User

    user = User.objects.get(username="trader")
    user.set_password("a-long-pass-phrase")
    user.save()
    client = Client()
    assert client.get("/account/").status_code == 302
    response = client.post("/account/sign-in/", {"username": "trader", "password": "a-long-pass-phrase"})
    assert response.status_code == 302
    assert "Desk One" in text_of(client.get("/account/"))
    assert client.post("/account/sign-out/").status_code == 302
    assert client.get("/account/").status_code == 302


def test_api_keys_are_made_shown_once_and_revoked(world: World) -> None:
    from metalstat.subscriptions.models import ApiKey

    client = reader_client("trader")
    response = client.post("/account/keys/", {"name": "laptop"})
    assert response.status_code == 200 and response["Cache-Control"] == "no-store"
    key = ApiKey.objects.get(user__username="trader", name="laptop")
    body = text_of(response)
    start = body.index('<code id="new-key">') + len('<code id="new-key">')
    secret = body[start : body.index("</code>", start)]
    assert secret.startswith(key.prefix)
    # the key reads the API; the account page never shows the secret again
    api = Client(HTTP_AUTHORIZATION=f"Bearer {secret}")
    assert api.get("/api/v1/me").status_code == 200
    assert secret not in text_of(client.get("/account/"))
    # a second key of the same name is refused with a reason
    again = text_of(client.post("/account/keys/", {"name": "laptop"}))
    assert "already has a key named" in again
    assert client.post(f"/account/keys/{key.pk}/revoke/").status_code == 302
    assert api.get("/api/v1/me").status_code == 401
    # nobody revokes another reader's key
    other = ApiKey.objects.get(user__username="ana")
    assert client.post(f"/account/keys/{other.pk}/revoke/").status_code == 404


def test_the_download_links_answer_a_signed_in_reader_in_the_browser(world: World) -> None:
    """The product page links to the API; the reader's session reads it, through the same
    gate (the base-metals subscriber gets copper, not NPI)."""
    client = reader_client("trader")
    response = client.get("/api/v1/data/M.COPPER_CATHODE.ACT+FCST.PRODUCTION._T.LEVEL/file.csv?start=2025-05")
    assert response.status_code == 200
    lines = bytes(response.content).decode().splitlines()
    assert lines[0].startswith("series_id,period,value")
    assert [line.split(",")[1:3] for line in lines[1:]] == [["2025-05", "1080.0"], ["2025-06", "1188.0"]]
    assert client.get("/api/v1/series/M.NPI.ACT.PRODUCTION._T.LEVEL/observations.csv").status_code == 403
    assert reader_client("anonymous").get("/api/v1/me").status_code == 401


def test_a_shallow_csv_only_subscription_reads_its_months_on_screen_and_downloads_only_csv(world: World) -> None:
    """One month of copper, CSV only: the page shows June and not May, without the drafted
    section (it quotes 13 months); the CSV link answers, the JSON one is refused."""
    from metalstat.subscriptions.actions import do_add_subscriber, do_create_organisation, do_grant_subscription

    org = do_create_organisation("Desk Two", actor="admin")
    do_grant_subscription(
        org, "Copper, last month", groups=["copper_cathode"], history_months=1, formats=["csv"], actor="admin"
    )
    do_add_subscriber("shallow", org, actor="admin")
    client = reader_client("shallow")
    body = figures_text(client.get("/products/copper_cathode/"))
    assert '["2025-06", 1188.0]' in body and '"2025-05"' not in body and "1080" not in body
    assert "Analysis" not in body
    assert "covered by a subscription" in text_of(client.get("/"))  # aluminium, NPI ...
    assert "report.pdf" not in text_of(client.get("/releases/2025-06/"))
    chart = "/api/v1/data/M.COPPER_CATHODE.ACT+FCST.PRODUCTION._T.LEVEL/file"
    assert client.get(f"{chart}.csv?start=2024-06").status_code == 200
    assert client.get(f"{chart}.json?start=2024-06").status_code == 403


def test_the_report_pdf_is_for_readers_of_every_product(world: World) -> None:
    assert reader_client("trader").get("/releases/2025-06/v1/report.pdf").status_code == 404  # no NPI
    assert reader_client("anonymous").get("/releases/2025-06/v1/report.pdf").status_code == 404
    assert reader_client("ana").get("/releases/2025-07/v1/report.pdf").status_code == 404  # embargoed
    response = reader_client("ana").get("/releases/2025-06/v1/report.pdf")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert bytes(response.content).startswith(b"%PDF")


def test_the_demo_subscriber_signs_in_to_the_portal_with_the_printed_password(db: object) -> None:
    from metalstat.demo.dissemination import demo_subscriber
    from metalstat.subscriptions.models import ApiKey

    user, secret, password = demo_subscriber()
    assert Client().login(username=user, password=password)
    assert ApiKey.objects.get(user__username=user, name="demo").prefix == secret[:12]
    assert not Client().login(username=user, password=password + "x")


def test_a_draft_vintage_is_never_a_page_not_even_for_a_preview(world: World) -> None:
    from metalstat.releases.actions import do_create_release
    from tests.api.conftest import level
    from tests.registry.factories import figures

    do_create_release("2025-06", figures([level("2025-06", 4321.0)]), actor="ana")  # v2, a draft
    for who in ("trader", "ana", "chief"):
        client = reader_client(who)
        assert client.get("/releases/2025-06/v2/").status_code == 404, who
        body = figures_text(client.get("/releases/2025-06/"))
        assert "2025-06.v1" in body and "4,300" not in body and "4321" not in body, who


def test_home_lists_what_the_latest_vintage_revised(world: World) -> None:
    """June's release revised May's copper (1100 first, 1080 now); NPI is not the trader's."""
    body = figures_text(reader_client("trader").get("/"))
    section = body.split('id="revised-h"')[1].split("</section>")[0]
    assert "Revised since 2025-05.v1" in section
    assert section.count("<tr>") == 2  # the header and one revision
    assert "Copper Cathode" in section and "May 2025" in section and "NPI" not in section
    # Rounded to the hundred both would read "1,100 mt": a revision is shown with its digits.
    assert "1,080" in section and "1,100" in section


COPPER = "M.COPPER_CATHODE.ACT.PRODUCTION._T.LEVEL"


def test_the_series_page_gives_latest_first_published_and_a_period_s_history(world: World) -> None:
    client = reader_client("trader")
    body = figures_text(client.get(f"/series/{COPPER}/?period=2025-05"))
    data = json.loads(body.split('<script id="series-data" type="application/json">')[1].split("</script>")[0])
    assert data["actual"] == [["2025-04", 1000.0], ["2025-05", 1080.0], ["2025-06", 1188.0]]
    assert data["first"] == [["2025-04", 1000.0], ["2025-05", 1100.0], ["2025-06", 1188.0]]
    history = body.split('id="history-h"')[1].split("</section>")[0]
    # May: 1100 in May's release, 1080 in June's; both print to the hundred as 1,100 mt
    assert "2025-05.v1" in history and "2025-06.v1" in history and history.count("<li>") == 2
    for value in EMBARGOED:
        assert value not in body
    assert f"/api/v1/series/{COPPER}/observations.csv?start=2024-06&amp;end=2025-06" in body


def test_the_series_page_follows_the_gate(world: World) -> None:
    npi = "M.NPI.ACT.PRODUCTION._T.LEVEL"
    assert "not in your subscriptions" in figures_text(reader_client("trader").get(f"/series/{npi}/"))
    assert "520" not in figures_text(reader_client("trader").get(f"/series/{npi}/"))
    assert "not in your subscriptions" in figures_text(reader_client("anonymous").get(f"/series/{COPPER}/"))
    assert reader_client("trader").get("/series/M.COPPER_CATHODE.ACT.NO_SUCH.LEVEL/").status_code == 404
    # July's value is not a month of the series for the public; the previewing analyst sees it
    assert "7777" not in figures_text(reader_client("ana").get(f"/series/{COPPER}/?end=2025-07"))
    assert "7777.0" in figures_text(reader_client("chief").get(f"/series/{COPPER}/"))


def test_the_explorer_sends_a_choice_to_the_series_permalink(world: World) -> None:
    client = reader_client("trader")
    assert client.get("/series/").status_code == 200
    response = client.get(
        "/series/",
        {"product": "copper_cathode", "kind": "actual", "measure": "production", "breakdown": "", "statistic": "level"},
    )
    assert response.status_code == 302 and response["Location"] == f"/series/{COPPER}/"


def series_data(body: str) -> dict[str, object]:
    found = json.loads(body.split('<script id="series-data" type="application/json">')[1].split("</script>")[0])
    assert isinstance(found, dict)
    return found


def test_the_series_page_offers_the_vintages_that_changed_it_and_overlays_the_chosen(world: World) -> None:
    client = reader_client("trader")
    response = client.get(f"/series/{COPPER}/", {"vintage": ["2025-05.v1", "2025-06.v1"]})
    body = figures_text(response)
    # the world: May's release published April 1000 and May 1100; June's revised May to 1080
    # and added June at 1188. As May's release left it, June was not yet published.
    data = series_data(body)
    assert data["vintages"] == [
        {"id": "2025-05.v1", "name": "As published in May 2025, vintage 1",
         "data": [["2025-04", 1000.0], ["2025-05", 1100.0], ["2025-06", None]]},
        {"id": "2025-06.v1", "name": "As published in Jun 2025, vintage 1",
         "data": [["2025-04", 1000.0], ["2025-05", 1080.0], ["2025-06", 1188.0]]},
    ]  # fmt: skip
    # the same in the table, without JavaScript: a column per vintage (1080 and 1100 both
    # print to the hundred as 1,100 mt: latest, first published and the two vintages)
    table = body.split('id="series-table"')[1].split("</table>")[0]
    assert table.count('class="num overlaid" data-vintage=') == 2
    may_row = table.split("May 2025</a>")[1].split("</tr>")[0]
    assert may_row.count("1,100 mt") == 4
    june_row = table.split("Jun 2025</a>")[1].split("</tr>")[0]  # 1188: 1,200 mt, unknown in May
    assert june_row.count("1,200 mt") == 3 and june_row.count("not yet published then") == 1
    # both offered and ticked; the permalink keeps the choice in the month links
    assert body.count('name="vintage" value="2025-05.v1" checked') == 1
    assert body.count('name="vintage" value="2025-06.v1" checked') == 1
    assert "?start=2024-06&amp;end=2025-06&amp;vintage=2025-05.v1&amp;vintage=2025-06.v1&amp;period=2025-04" in body
    # and the download of each overlay is the API's own as_of request
    assert f"/api/v1/series/{COPPER}/observations.csv?start=2024-06&amp;end=2025-06&amp;as_of=2025-05.v1" in body


def test_no_vintage_chosen_draws_none_and_an_unknown_one_is_left_out(world: World) -> None:
    client = reader_client("trader")
    body = figures_text(client.get(f"/series/{COPPER}/"))
    assert series_data(body)["vintages"] == []
    assert 'name="vintage" value="2025-05.v1">' in body and 'name="vintage" value="2025-06.v1">' in body
    body = figures_text(client.get(f"/series/{COPPER}/", {"vintage": ["2019-01.v1", "2025-06.v2", "nonsense"]}))
    assert series_data(body)["vintages"] == [] and "data-vintage=" not in body


@pytest.mark.parametrize("who", ["trader", "ana", "anonymous"])
def test_an_embargoed_vintage_is_never_offered_nor_overlaid(world: World, who: str) -> None:
    response = reader_client(who).get(f"/series/{COPPER}/", {"vintage": "2025-07.v1", "end": "2025-07"})
    body = figures_text(response)
    assert 'value="2025-07.v1"' not in body and "data-vintage=" not in body
    for value in EMBARGOED:
        assert value not in body, (who, value)
    assert "under embargo" not in body


def test_the_previewing_analyst_overlays_the_embargoed_vintage_under_the_banner(world: World) -> None:
    body = figures_text(reader_client("chief").get(f"/series/{COPPER}/", {"vintage": "2025-07.v1"}))
    vintages = series_data(body)["vintages"]
    assert isinstance(vintages, list) and [v["id"] for v in vintages] == ["2025-07.v1"]
    assert vintages[0]["data"][-2:] == [["2025-06", 1190.0], ["2025-07", 7777.0]]
    assert "under embargo" in body


def test_overlaying_vintages_costs_a_bounded_number_of_queries(
    world: World, django_assert_max_num_queries: object
) -> None:
    client = reader_client("trader")
    path = f"/series/{COPPER}/?vintage=2025-05.v1&vintage=2025-06.v1"
    client.get(path)
    with django_assert_max_num_queries(14):  # type: ignore[operator]
        assert client.get(path).status_code == 200


# Latin punctuation touching Chinese text (a colon, a semicolon, a parenthesis, a comma),
# where Chinese writes the full-width ：；（），
LATIN_BESIDE_CHINESE = re.compile(r"[\u4e00-\u9fff]\s?[:;,()]|[(:;]\s?[\u4e00-\u9fff]")


@pytest.mark.parametrize("who", ["trader", "chief"])  # the previewing analyst: the banner too
@pytest.mark.parametrize("path", PAGES)
def test_the_chinese_pages_use_chinese_punctuation(world: World, path: str, who: str) -> None:
    client = reader_client(who)
    client.post("/i18n/setlang/", {"language": "zh-hans", "next": "/"})
    body = text_of(client.get(path, follow=True))
    text = " ".join(visible_text(body).split())
    found = [text[max(m.start() - 12, 0) : m.end() + 12] for m in LATIN_BESIDE_CHINESE.finditer(text)]
    assert found == [], (path, found)
