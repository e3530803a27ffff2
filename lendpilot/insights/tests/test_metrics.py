"""Each metric of the catalogue on the hand-built month of conftest.py, with MoM and YoY, computed from the
live tables and from built snapshots plus today's delta (the two must agree)."""

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from lendpilot.insights.catalogue import Slice
from lendpilot.insights.metrics import drilldown, metric_report, metric_values, sparkline
from lendpilot.insights.services import metric_snapshots_build
from lendpilot.insights.tests.conftest import TODAY

EXPECTED_NOVEMBER = {
    "disbursed_amount": 750000.0, "loan_count": 3.0, "avg_ticket": 250000.0, "approval_rate": 0.75,
    "lead_conversion": 0.5, "conversion_cycle_days": 11.0, "target_attainment": 1.25, "overdue_rate": 0.05,
    "npl_ratio": 0.02, "collection_rate": 0.815789, "nps": None, "complaint_rate": None,
}


def _values(world, **kwargs):
    kwargs.setdefault("period", "month:2026-11")
    return {v.code: v for v in metric_values(actor=world.user("director"), today=TODAY, **kwargs)}


def _build(days):
    for day in days:
        metric_snapshots_build(actor=None, business_date=day)


@pytest.mark.parametrize("snapshots", [False, True], ids=["live", "snapshots_plus_today"])
def test_each_metric_of_the_whole_bank_in_november(world, book, snapshots):
    if snapshots:
        _build([date(2026, 10, d) for d in range(1, 32)] + [date(2026, 11, d) for d in range(1, 20)])
    values = _values(world)
    assert {code: v.value for code, v in values.items()} == EXPECTED_NOVEMBER


def test_month_on_month_is_relative_for_amounts_and_points_for_rates(world, book):
    values = _values(world)
    assert values["disbursed_amount"].previous == 200000.0
    assert values["disbursed_amount"].mom == 2.75  # (750,000 - 200,000) / 200,000
    assert values["approval_rate"].previous == 0.5
    assert values["approval_rate"].mom == 0.25  # 75% - 50% = +25 points
    assert values["target_attainment"].previous == 0.5
    assert values["target_attainment"].mom == 0.75
    assert values["overdue_rate"].previous == 0.025
    assert values["overdue_rate"].mom == 0.025
    assert values["overdue_rate"].mom_direction == "bad"  # overdue up is bad
    assert values["disbursed_amount"].mom_direction == "good"


def test_year_on_year_against_the_same_month_last_year(world, book):
    values = _values(world)
    assert values["disbursed_amount"].last_year == 80000.0
    assert values["disbursed_amount"].yoy == 8.375  # (750,000 - 80,000) / 80,000
    assert values["loan_count"].yoy == 2.0  # 3 against 1
    # Nothing was decided in November 2025: no rate, so no change either (never a silent zero).
    assert values["approval_rate"].last_year is None
    assert values["approval_rate"].yoy is None


def test_nps_and_complaint_rate_are_not_available_with_a_reason(world, book):
    values = _values(world)
    for code in ("nps", "complaint_rate"):
        assert values[code].available is False
        assert values[code].value is None
        assert values[code].reason


def test_a_region_slice(world, book):
    east = str(world.regions["east"].pk)
    values = _values(world, slice=Slice("region", east))
    assert values["disbursed_amount"].value == 700000.0
    assert values["loan_count"].value == 2.0
    assert values["overdue_rate"].value == 0.05  # 35,000 / 700,000
    assert values["target_attainment"].value == 1.4  # 700,000 / (300,000 + 200,000)


def test_a_channel_slice_has_no_stock_or_target_and_says_why(world, book):
    values = _values(world, slice="channel:channel")
    assert values["disbursed_amount"].value == 100000.0
    assert values["npl_ratio"].value is None and values["npl_ratio"].reason
    assert values["target_attainment"].value is None and values["target_attainment"].reason


def test_a_period_without_data_is_an_explicit_empty_state(world, book):
    report = metric_report(actor=world.user("director"), period="month:2024-02", today=TODAY)
    assert report.has_data is False
    assert report.empty_reason
    assert all(v.value is None for v in report.values)
    assert report.value_of("disbursed_amount").reason == report.empty_reason


def test_biweek_and_custom_periods(world, book):
    values = _values(world, period="biweek:2026-11-02")  # 11-02 .. 11-15
    assert values["disbursed_amount"].value == 700000.0
    values = _values(world, period="custom:2026-11-01..2026-11-05")
    assert values["disbursed_amount"].value == 100000.0
    # Target pro rata: 600,000 x 5/30 = 100,000.
    assert values["target_attainment"].value == 1.0


def test_snapshot_build_is_idempotent_and_agrees_with_live_drilldown(world, book):
    live = drilldown(actor=world.user("director"), period="month:2026-11", dimension="manager", today=TODAY)
    _build([date(2026, 11, d) for d in range(1, 20)])
    _build([date(2026, 11, d) for d in range(1, 20)])
    built = drilldown(actor=world.user("director"), period="month:2026-11", dimension="manager", today=TODAY)
    assert [(r.key, [v.value for v in r.values]) for r in live] == [(r.key, [v.value for v in r.values]) for r in built]
    wang = next(r for r in built if r.key == str(world.staff["am_wang"].pk))
    assert wang.value_of("disbursed_amount").value == 100000.0


def test_sparkline_has_twelve_months(world, book):
    series = sparkline(actor=world.user("director"), until="month:2026-11", today=TODAY,
                       codes=["disbursed_amount", "npl_ratio"])
    assert len(series["disbursed_amount"]) == 12
    assert series["disbursed_amount"][-1] == ("2026-11", 750000.0)
    assert series["disbursed_amount"][-2] == ("2026-10", 200000.0)
    assert series["npl_ratio"][-2] == ("2026-10", 0.01)


def test_scope_a_regional_head_sees_the_region_not_another(world, book):
    east, south = str(world.regions["east"].pk), str(world.regions["south"].pk)
    head = world.user("east_head")
    report = metric_report(actor=head, period="month:2026-11", today=TODAY)
    assert report.slice == Slice("region", east)
    with pytest.raises(Http404):
        metric_values(actor=head, period="month:2026-11", slice=Slice("region", south), today=TODAY)
    with pytest.raises(PermissionDenied):
        metric_values(actor=head, period="month:2026-11", slice="all:all", today=TODAY)
    with pytest.raises(Http404):
        metric_values(actor=world.user("am_wang"), period="month:2026-11",
                      slice=Slice("manager", str(world.staff["am_zhao"].pk)), today=TODAY)
    with pytest.raises(Http404):
        metric_values(actor=world.user("director"), period="month:2026-11", slice="region:99999", today=TODAY)


@pytest.mark.parametrize(("kwargs", "field"), [
    ({"period": "2026-13"}, "period"), ({"period": "biweek:2026-11-03"}, "period"),
    ({"period": "custom:2026-11-05..2026-11-01"}, "period"), ({"slice": "planet:3"}, "dimension"),
    ({"slice": "region:abc"}, "key"), ({"codes": ["nope"]}, "metric"), ({"slice": "channel:fax"}, "key"),
])
def test_bad_input_names_the_field(world, book, kwargs, field):
    kwargs.setdefault("period", "month:2026-11")
    with pytest.raises(ValidationError) as info:
        metric_values(actor=world.user("director"), today=TODAY, **kwargs)
    assert field in info.value.message_dict


def test_cockpit_from_snapshots_equals_cockpit_from_raw_tables(world, book):
    from lendpilot.insights.cockpit import cockpit_data

    _build([date(2026, 10, d) for d in range(1, 32)] + [date(2026, 11, d) for d in range(1, 20)])
    fast = cockpit_data(actor=world.user("director"), period="month:2026-11", today=TODAY)
    raw = cockpit_data(actor=world.user("director"), period="month:2026-11", today=TODAY, use_snapshots=False)
    assert fast["sparklines"] == raw["sparklines"]
    assert fast["comparison"] == raw["comparison"]
    assert [v.value for v in fast["report"].values] == [v.value for v in raw["report"].values]


def test_a_tier_slice_reads_the_portfolio_snapshot_of_the_tier(world, book):
    book.snapshot(date(2026, 11, 19), "400000", "40000", "8000", dimension="tier", key="micro")
    values = _values(world, slice="tier:micro")
    assert values["overdue_rate"].value == 0.1
    assert values["npl_ratio"].value == 0.02
    assert values["disbursed_amount"].value == 750000.0  # every test customer is micro


def test_drilldown_inside_a_team_lists_its_members_with_their_figures(world, book):
    team = world.teams["east-a"].pk
    rows = drilldown(actor=world.user("director"), period="month:2026-11", dimension="manager",
                     parent=f"team:{team}", codes=["disbursed_amount", "target_attainment"], today=TODAY)
    by_key = {r.key: r for r in rows}
    wang, zhao = str(world.staff["am_wang"].pk), str(world.staff["am_zhao"].pk)
    assert str(world.staff["am_sun"].pk) not in by_key
    assert by_key[wang].value_of("disbursed_amount").value == 100000.0
    assert by_key[zhao].value_of("target_attainment").value == 3.0  # 600,000 / 200,000
