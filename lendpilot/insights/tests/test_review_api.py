"""The review-cycle API: funnel, conversion, action items and the review report with its Excel and PDF
exports; bad input is a 4xx naming the field and changes nothing."""

import io
from datetime import date

import pytest
from django.test import Client
from openpyxl import load_workbook
from pypdf import PdfReader

from lendpilot.core.models import ActionItem
from lendpilot.insights.diagnostics import Period
from lendpilot.insights.tests.review_data import moves

P = Period(date(2026, 11, 2), date(2026, 11, 15))
PERIOD = {"start": "2026-11-02", "end": "2026-11-15"}


def client_for(world, key) -> Client:
    client = Client()
    client.force_login(world.user(key))
    return client


def build(world):
    moves(world, "am_wang", on=P.start, src="first_contact", dst="proposal", count=12, lead_source="referral")
    moves(world, "am_wang", on=P.start, src="first_contact", dst="lost", count=8, tier="premium")
    moves(world, "am_wang", on=P.start, src="signing", dst="won", count=4, lead_source="referral")
    for k in (1, 2, 3):
        moves(world, "am_wang", on=P.previous(k).start, src="first_contact", dst="proposal", count=16)
        moves(world, "am_wang", on=P.previous(k).start, src="first_contact", dst="lost", count=4)


def test_funnel_answers_the_flags(world):
    build(world)
    body = client_for(world, "director").get("/api/v1/insights/review/funnel", PERIOD).json()
    nodes = {n["stage"]: n for n in body["nodes"]}
    assert body["slice"]["dimension"] == "bank" and body["threshold_points"] == 15.0
    assert nodes["meeting"]["loss_pct"] == 40.0 and nodes["meeting"]["baseline_loss_pct"] == 20.0
    assert body["flagged"] == ["meeting"] and nodes["meeting"]["action_item_id"] is None
    assert len(body["baseline_periods"]) == 3


def test_diagnose_opens_one_item_and_the_funnel_links_it(world):
    build(world)
    lead = client_for(world, "east_a_lead")
    team = {"dimension": "team", "key": str(world.teams["east-a"].pk), **PERIOD}
    first = lead.post("/api/v1/insights/review/funnel/diagnose", team, content_type="application/json")
    assert first.status_code == 200, first.content
    again = lead.post("/api/v1/insights/review/funnel/diagnose", team, content_type="application/json").json()
    item = ActionItem.objects.get()
    assert {n["stage"]: n["action_item_id"] for n in again["nodes"]}["meeting"] == item.pk
    got = lead.get("/api/v1/insights/review/funnel", team).json()
    assert {n["stage"]: n["action_item_id"] for n in got["nodes"]}["meeting"] == item.pk


def test_a_team_lead_may_not_ask_for_another_team(world):
    response = client_for(world, "east_a_lead").get(
        "/api/v1/insights/review/funnel", {"dimension": "team", "key": str(world.teams["south-a"].pk)})
    # Answered like a team that does not exist, so that the answer tells nothing of other teams.
    assert response.status_code == 404
    missing = client_for(world, "east_a_lead").get("/api/v1/insights/review/funnel",
                                                   {"dimension": "team", "key": "999999"})
    assert missing.status_code == 404


@pytest.mark.parametrize(("params", "field"), [
    ({"dimension": "planet"}, "dimension"), ({"dimension": "team"}, "key"),
    ({"start": "2026-11-02"}, "end"), ({"end": "2026-11-02"}, "start"),
    ({"start": "2026-11-15", "end": "2026-11-02"}, "end"), ({"start": "2026-13-01", "end": "2026-11-02"}, "start"),
    ({"threshold": "1.5"}, "threshold"), ({"baseline_periods": "0"}, "baseline_periods"),
])
def test_bad_funnel_input_is_422_naming_the_field(world, params, field):
    response = client_for(world, "director").get("/api/v1/insights/review/funnel", params)
    assert response.status_code == 422, response.content
    assert field in [d["loc"][-1] for d in response.json()["detail"]]


def test_conversion_ranks_segments(world):
    build(world)
    body = client_for(world, "director").get("/api/v1/insights/review/conversion",
                                             {**PERIOD, "by": "channel", "min_volume": "3"}).json()
    cells = {tuple(s["key"]): s for s in body["segments"]}
    assert cells[("referral",)]["opened"] == 16 and cells[("referral",)]["won"] == 4
    assert body["best"][0]["key"] == ["referral"] and body["best"][0]["low_pct"] is not None
    bad = client_for(world, "director").get("/api/v1/insights/review/conversion", {"by": "colour"})
    assert bad.status_code == 422 and bad.json()["detail"][0]["loc"][-1] == "by"


def test_action_items_over_the_api(world):
    lead = client_for(world, "east_a_lead")
    created = lead.post("/api/v1/insights/action-items", {
        "title": "精简资料清单", "owner_id": world.user("am_wang").pk,
        "members": [{"user_id": world.user("risk_l1").pk, "function": "risk"}]}, content_type="application/json")
    assert created.status_code == 200, created.content
    item = created.json()
    assert item["members"] == [{"user_id": world.user("risk_l1").pk, "function": "risk"}]
    wang = client_for(world, "am_wang")
    assert wang.post(f"/api/v1/insights/action-items/{item['id']}/start").status_code == 200
    refused = wang.post(f"/api/v1/insights/action-items/{item['id']}/close", {"outcome": ""},
                        content_type="application/json")
    assert refused.status_code == 422 and refused.json()["detail"][0]["loc"][-1] == "outcome"
    done = wang.post(f"/api/v1/insights/action-items/{item['id']}/close", {"outcome": "清单减为 7 项"},
                     content_type="application/json").json()
    assert [h["to_status"] for h in done["history"]] == ["open", "in_progress", "done"]
    again = wang.post(f"/api/v1/insights/action-items/{item['id']}/start")
    assert again.status_code == 409
    assert client_for(world, "am_chen").get(f"/api/v1/insights/action-items/{item['id']}").status_code == 404
    listed = lead.get("/api/v1/insights/action-items", {"status": "done"}).json()
    assert [i["id"] for i in listed["items"]] == [item["id"]]
    assert lead.get("/api/v1/insights/action-items", {"status": "bogus"}).status_code == 422


def test_bad_action_item_input_changes_nothing(world):
    lead = client_for(world, "east_a_lead")
    for body, field in (({"title": ""}, "title"), ({"title": "x", "owner_id": 99999}, "owner_id"),
                        ({"title": "x", "members": [{"user_id": world.user("risk_l1").pk, "function": "legal"}]},
                         "members")):
        response = lead.post("/api/v1/insights/action-items", body, content_type="application/json")
        assert response.status_code == 422 and field in [d["loc"][-1] for d in response.json()["detail"]]
    assert client_for(world, "am_zhao").post("/api/v1/insights/action-items", {
        "title": "x", "owner_id": world.user("am_wang").pk}, content_type="application/json").status_code == 403
    assert not ActionItem.objects.exists()


def test_review_report_and_its_exports(world):
    build(world)
    director = client_for(world, "director")
    report = director.get("/api/v1/insights/review/report", PERIOD)
    assert report.status_code == 200, report.content
    body = report.json()
    assert body["funnel"]["flagged"] == ["meeting"] and body["period"] == {"start": "2026-11-02",
                                                                           "end": "2026-11-15"}

    xlsx = director.get("/api/v1/insights/review/report.xlsx", PERIOD)
    assert xlsx.status_code == 200
    book = load_workbook(io.BytesIO(xlsx.content))
    assert book.sheetnames[:4] == ["核心指标", "漏斗诊断", "表现最好与最差的客群", "行动项"]
    funnel_rows = {row[0]: row for row in book["漏斗诊断"].iter_rows(values_only=True)}
    assert funnel_rows["会谈"][2:6] == (12, 8, 0.6, 0.4)

    pdf = director.get("/api/v1/insights/review/report.pdf", PERIOD)
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf.content)).pages)
    assert "会谈" in text and "40.0%" in text and "meeting" not in text


def test_review_of_a_team_outside_the_scope_is_refused(world):
    response = client_for(world, "east_a_lead").get("/api/v1/insights/review/report.pdf",
                                                    {"dimension": "region", "key": str(world.regions["east"].pk)})
    assert response.status_code == 404
