"""Pages of the review cycle: they show the same figures as the API, respect the scope, explain bad
input, and move action items with a status-history row per move."""

from datetime import date

from django.test import Client

from lendpilot.core.models import ActionItem
from lendpilot.insights.tests.test_review_api import PERIOD, build


def client_for(world, key) -> Client:
    client = Client()
    client.force_login(world.user(key))
    return client


def test_funnel_page_shows_the_api_figures_and_opens_items(world):
    build(world)
    lead = client_for(world, "east_a_lead")
    team = {"dimension": "team", "key": str(world.teams["east-a"].pk), **PERIOD}
    page = lead.get("/insights/funnel/", team)
    assert page.status_code == 200
    api = lead.get("/api/v1/insights/review/funnel", team).json()
    page_nodes = {n["stage"]: n for n in page.context["funnel"]["nodes"]}
    assert page_nodes == {n["stage"]: n for n in api["nodes"]}
    html = page.content.decode()
    assert 'id="node-meeting" data-stage="meeting" data-flagged="1"' in html
    assert "vendor/echarts/echarts.min.js" in html and 'id="diagnose-form"' in html
    response = lead.post("/insights/funnel/diagnose/", team)
    assert response.status_code == 302
    item = ActionItem.objects.get()
    assert 'id="item-link-meeting"' in lead.get("/insights/funnel/", team).content.decode()
    lead.post("/insights/funnel/diagnose/", team)
    assert ActionItem.objects.count() == 1 and item.source_kind == "diagnostic"


def test_pages_explain_bad_input_with_the_field(world):
    director = client_for(world, "director")
    for url in ("/insights/funnel/", "/insights/conversion/", "/insights/review/"):
        response = director.get(url, {"start": "2026-11-15", "end": "2026-11-01"})
        assert response.status_code == 400 and "end:" in response.content.decode()
    response = director.get("/insights/conversion/", {"by": "colour"})
    assert response.status_code == 400 and "by:" in response.content.decode()


def test_pages_refuse_a_scope_the_user_does_not_hold(world):
    lead = client_for(world, "east_a_lead")
    assert lead.get("/insights/funnel/", {"slice": f"team:{world.teams['south-a'].pk}"}).status_code == 404
    assert client_for(world, "partner").get("/insights/review/").status_code == 403


def test_review_page_holds_every_section(world):
    build(world)
    page = client_for(world, "director").get("/insights/review/", PERIOD)
    assert page.status_code == 200
    html = page.content.decode()
    for marker in ('id="metrics"', 'id="funnel-table"', 'id="best"', 'id="worst"', 'id="open-items"',
                   'id="closed-items"', 'id="export-xlsx"', 'id="export-pdf"'):
        assert marker in html
    assert page.context["period"].start == date(2026, 11, 2)


def test_default_period_is_the_last_complete_biweek(world):
    page = client_for(world, "director").get("/insights/review/")
    assert page.status_code == 200 and page.context["period"].days == 14
    assert page.context["period"].start.weekday() == 0


def test_conversion_page_matches_the_api(world):
    build(world)
    director = client_for(world, "director")
    page = director.get("/insights/conversion/", {**PERIOD, "by": "channel"})
    api = director.get("/api/v1/insights/review/conversion", {**PERIOD, "by": "channel"}).json()
    assert page.status_code == 200
    assert page.context["conversion"]["segments"] == api["segments"]


def test_action_board_create_and_detail_with_history(world):
    lead = client_for(world, "east_a_lead")
    response = lead.post("/insights/actions/new/", {
        "title": "审批材料精简", "owner_id": str(world.user("am_wang").pk), "description": "",
        "member_user": [str(world.user("risk_l1").pk), ""], "member_function": ["risk", "product"]})
    item = ActionItem.objects.get()
    assert response.status_code == 302 and response["Location"].endswith(f"/insights/actions/{item.pk}/")
    assert list(item.members.values_list("function", flat=True)) == ["risk"]
    wang = client_for(world, "am_wang")
    board = wang.get("/insights/actions/")
    assert board.status_code == 200 and f'data-item="{item.pk}"' in board.content.decode()
    wang.post(f"/insights/actions/{item.pk}/start/")
    refused = wang.post(f"/insights/actions/{item.pk}/close/", {"outcome": ""}, follow=True)
    assert "outcome:" in refused.content.decode()
    wang.post(f"/insights/actions/{item.pk}/close/", {"outcome": "材料从 12 项减到 7 项"})
    detail = wang.get(f"/insights/actions/{item.pk}/").content.decode()
    assert 'data-status="done"' in detail
    assert detail.count("data-to=") == 3
    assert client_for(world, "am_chen").get(f"/insights/actions/{item.pk}/").status_code == 404
    english = wang.get(f"/insights/actions/{item.pk}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "<td>In progress</td><td>Done</td>" in english and "in_progress" not in english.replace('"in_progress"', "")
    assert f"<td>{world.staff['am_wang'].name}</td>" in english
    board = lead.get("/insights/actions/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert f"{world.staff['am_wang'].name} (Account manager)" in board and "(account_manager)" not in board
    bad = lead.post("/insights/actions/new/", {"title": ""}, follow=True)
    assert "title:" in bad.content.decode() and ActionItem.objects.count() == 1



def test_an_alert_opens_its_action_item_once(world):
    from lendpilot.monitoring.models import Alert
    from lendpilot.monitoring.tests.conftest import make_loan

    loan = make_loan(world)
    alert = Alert.objects.create(loan=loan, owner=world.staff["am_wang"], opened_on=date(2026, 11, 20),
                                 last_signal_on=date(2026, 11, 20), severity=2)
    lead = client_for(world, "east_a_lead")
    first = lead.post("/insights/actions/from-alert/", {"alert_id": str(alert.pk)})
    again = lead.post("/insights/actions/from-alert/", {"alert_id": str(alert.pk)})
    item = ActionItem.objects.get()
    assert first["Location"] == again["Location"] and item.source_ref == f"alert:{alert.pk}"
    assert item.owner == world.user("am_wang") and item.source_kind == "alert"
    bad = lead.post("/insights/actions/from-alert/", {"alert_id": "x"}, follow=True)
    assert "alert_id:" in bad.content.decode()
    assert client_for(world, "am_chen").post("/insights/actions/from-alert/",
                                             {"alert_id": str(alert.pk)}).status_code == 404
