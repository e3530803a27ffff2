"""A plan's split reaches each reader only inside its scope: a regional head reads and edits the cells of
its own region (another region's cell is a 404), a team or a person reads no shared cell, and every total
is summed over what the reader sees."""

from datetime import date
from decimal import Decimal

import pytest
from django.test import Client

from lendpilot.planning.models import TargetCell
from lendpilot.planning.tests.test_api import _create
from lendpilot.testing import make_loan

pytestmark = pytest.mark.django_db
API = "/api/v1/planning"


def client_for(world, key) -> Client:
    c = Client()
    c.force_login(world.user(key))
    return c


@pytest.fixture
def plan_id(world):
    make_loan(world, on=date(2025, 5, 1))
    director = client_for(world, "director")
    pid = _create(director).json()["id"]
    assert director.post(f"{API}/plans/{pid}/split", {}, content_type="application/json").status_code == 200
    return pid


def test_regional_head_reads_only_own_regions_cells(world, plan_id):
    whole = client_for(world, "director").get(f"{API}/plans/{plan_id}").json()
    assert {cell["region"] for cell in whole["cells"]} == {"EAST", "SOUTH"}
    east = client_for(world, "east_head").get(f"{API}/plans/{plan_id}").json()
    assert {cell["region"] for cell in east["cells"]} == {"EAST"}
    assert Decimal(east["total"]) == sum(Decimal(cell["total"]) for cell in east["cells"]) <= Decimal(whole["total"])
    page = client_for(world, "east_head").get(f"/planning/plans/{plan_id}/").content.decode()
    assert "SOUTH" not in page and "华南" not in page


def test_team_and_person_read_no_shared_cells(world, plan_id):
    for key in ("east_a_lead", "am_wang"):
        body = client_for(world, key).get(f"{API}/plans/{plan_id}").json()
        assert body["cells"] == [] and Decimal(body["total"]) == 0, key


def test_another_regions_cell_is_a_404(world, plan_id):
    south_cell = TargetCell.objects.filter(plan_id=plan_id, level=TargetCell.Level.CELL,
                                           region=world.regions["south"]).first()
    before = south_cell.amount
    r = client_for(world, "east_head").patch(f"{API}/plans/{plan_id}/cells/{south_cell.pk}", {"amount": "10000"},
                                             content_type="application/json")
    assert r.status_code == 404
    south_cell.refresh_from_db()
    assert south_cell.amount == before


def test_product_attainment_targets_are_the_readers_own(world, plan_id):
    assert client_for(world, "director").post(f"{API}/plans/{plan_id}/approve").status_code == 200
    month = date(2026, 1, 1)

    def target(key):
        rows = client_for(world, key).get(f"{API}/attainment", {"month": month.isoformat(), "group": "product"})
        return sum(Decimal(row["target"]) for row in rows.json())

    cells = TargetCell.objects.filter(plan_id=plan_id, month=month)
    own = sum(c.amount for c in cells.filter(level=TargetCell.Level.MANAGER, manager=world.staff["am_wang"]))
    assert target("am_wang") == own
    assert target("director") == sum(c.amount for c in cells.filter(level=TargetCell.Level.CELL)) > own
