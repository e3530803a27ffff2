"""Dates and numbers outside what the API can mean are a 422 naming the field, never a guess or a 500:
`month=0` is not 1970-01-01, a date-time is not a date, year 9999 is refused, weights are bounded."""

import pytest
from django.test import Client

from lendpilot.testing import PASSWORD


@pytest.fixture
def director(world):
    client = Client()
    assert client.login(username="director", password=PASSWORD)
    return client


@pytest.mark.parametrize("path", ["/api/v1/planning/quotas", "/api/v1/incentives/leaderboard",
                                  "/api/v1/planning/attainment"])
@pytest.mark.parametrize("month", ["0", "1700000000", "2026-03-01T00:00:00", "9999-12-31", "2026-13-01"])
def test_a_month_that_is_not_a_written_date_is_a_422_naming_it(director, path, month):
    response = director.get(path, {"month": month})
    assert response.status_code == 422, response.content
    assert response.json()["detail"][0]["loc"][-1] == "month"


def test_a_written_month_is_still_read(director):
    assert director.get("/api/v1/planning/quotas", {"month": "2026-03-01"}).status_code == 200


@pytest.mark.parametrize("field, value", [
    ("period_start", 0),
    ("month_weights", ["1e30"] + ["1"] * 11),
    ("drivers", {"last_year": "1e400"}),
])
def test_plan_input_out_of_bounds_is_a_422_naming_the_field(director, field, value):
    payload = {"code": "P-2027", "name": "2027", "period_start": "2027-01-01", "total_amount": "1000000.00",
               field: value}
    response = director.post("/api/v1/planning/plans", payload, content_type="application/json")
    assert response.status_code == 422, response.content
    assert field in {str(part) for part in response.json()["detail"][0]["loc"]}
