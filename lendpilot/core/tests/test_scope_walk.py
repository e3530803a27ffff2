"""Role x endpoint scope walk: every GET operation of the OpenAPI document and every page route, asked by
an account manager, a team lead, a regional head and a channel partner of East China about the objects
and aggregates of another scope: South China for all of them, a colleague of the same team for the
account manager, the other East team for the team lead. No answer may carry anything of another scope:
a customer's name, a lead, a segment, an application or loan number, or another book's balance inside
any count or sum.

Each book's loans have principals that appear nowhere else (987,654.32 CNY in the South, 876,543.21 and
765,432.10 in the two East books out of reach): a figure computed outside the reader's scope shows one
of them, whatever the chart. An out-of-scope object is asked by its id; an out-of-scope slice (region,
team, manager) by its key.
"""

import io
import json
import re
from datetime import date
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from lendpilot.api import api
from lendpilot.compliance.models import AuditEvent
from lendpilot.customers.models import Customer
from lendpilot.customers.services import segment_save
from lendpilot.lending import services as lending
from lendpilot.monitoring import services as monitoring
from lendpilot.monitoring.models import Alert
from lendpilot.sales.services import opportunity_create
from lendpilot.sales.tests.factories import new_lead, submitted_application

pytestmark = pytest.mark.django_db

# Who walks, and which books lie outside its scope besides the South.
WALKERS = {"am_wang": ("am_zhao", "am_sun"), "east_a_lead": ("am_sun",), "east_head": (),
           "partner": ("am_zhao", "am_sun")}
INNER = {"am_zhao": ("佟秘密客户丙", "佟秘密企业丁", Decimal("876543.21"), "876543"),
         "am_sun": ("孙秘密客户戊", "孙秘密企业己", Decimal("765432.10"), "765432")}
DAY = date(2025, 2, 28)  # a month end after the loan's first instalment fell due: EOD writes every figure
PRINCIPAL = Decimal("987654.32")
CUSTOMER_NAMES = ("华南秘密客户甲", "华南秘密企业乙")
LEAD_NAME, SEGMENT_NAME = "华南秘密线索", "华南秘密分群"
MISSING = 987_650_001  # an id no row has: where nothing of the other scope exists, the walk still asks

# Values for the query parameters an operation requires.
REQUIRED_QUERY = {"value_date": DAY.isoformat(), "month": "2025-02-01", "start": "2025-01-01"}
# Pages and operations outside the walk: authentication, the admin site, the process probes.
SKIPPED_PAGES = ("admin/", "api/", "login/", "logout/", "i18n/", "healthz", "readyz", "metrics")


@pytest.fixture
def south(world):
    """The South China book: customers, a loan after EOD (alerts, snapshots, buckets), a lead, an
    opportunity, a submitted application and a segment, all of account manager Chen Jie."""
    for key, name in zip(("am_chen_person", "am_chen_company"), CUSTOMER_NAMES, strict=True):
        Customer.objects.filter(pk=world.customers[key].pk).update(name=name)
        world.customers[key].refresh_from_db()
    person, company = world.customers["am_chen_person"], world.customers["am_chen_company"]
    loan = lending._create_loan(borrower=company, product=world.products["credit"], principal=PRINCIPAL,
                                annual_rate=Decimal("0.1200"), term_months=12, method="equal_instalment",
                                disbursed_on=date(2024, 12, 10))
    inner = {}
    for manager, (person_name, company_name, principal, marker) in INNER.items():
        Customer.objects.filter(pk=world.customers[f"{manager}_person"].pk).update(name=person_name)
        Customer.objects.filter(pk=world.customers[f"{manager}_company"].pk).update(name=company_name)
        inner_loan = lending._create_loan(borrower=world.customers[f"{manager}_company"],
                                          product=world.products["credit"], principal=principal,
                                          annual_rate=Decimal("0.1200"), term_months=12, method="equal_instalment",
                                          disbursed_on=date(2024, 12, 10))
        staff = world.staff[manager]
        inner[manager] = {
            "ids": {"customer_id": world.customers[f"{manager}_person"].pk, "staff_id": staff.pk,
                    "loan_id": inner_loan.pk},
            "markers": [person_name, company_name, inner_loan.number, marker],
            "slices": [("team", staff.team_id), ("manager", staff.pk)],
        }
    monitoring.eod_run(actor=None, business_date=DAY)
    chen = world.user("am_chen")
    lead = new_lead(world, actor="am_chen", region="south", name=LEAD_NAME)
    opportunity = opportunity_create(actor=chen, customer=person, product=world.products["credit"],
                                     amount="200000")
    application = submitted_application(world, person)
    segment = segment_save(actor=chen, name=SEGMENT_NAME, query="region = SOUTH")
    alert = Alert.objects.filter(loan=loan).first()
    ids = {
        "customer_id": person.pk, "staff_id": world.staff["am_chen"].pk, "lead_id": lead.pk,
        "opportunity_id": opportunity.pk, "application_id": application.pk, "loan_id": loan.pk,
        "segment_id": segment.pk, "alert_id": alert.pk if alert else MISSING,
        "step_id": alert.interventions.first().pk if alert and alert.interventions.exists() else MISSING,
        "year": DAY.year, "level": 1,
    }
    markers = [*CUSTOMER_NAMES, LEAD_NAME, SEGMENT_NAME, application.number, loan.number,
               "987654", "987,654"]
    slices = [("region", world.regions["south"].pk), ("team", world.teams["south-a"].pk),
              ("manager", world.staff["am_chen"].pk)]
    return {"ids": ids, "markers": markers, "slices": slices, "inner": inner}


def _shown(marker: str) -> tuple[str, ...]:
    # JSON (and the charts' data) carry Chinese text as \u escapes.
    return marker, json.dumps(marker)[1:-1]


def _text(response) -> str:
    content_type = response.get("Content-Type", "")
    body = b"".join(response.streaming_content) if response.streaming else response.content
    if "spreadsheetml" in content_type:
        from openpyxl import load_workbook

        book = load_workbook(io.BytesIO(body), read_only=True)
        return "\n".join(str(cell) for sheet in book.worksheets for row in sheet.iter_rows(values_only=True)
                         for cell in row if cell is not None)
    return body.decode("utf-8", errors="replace")


def _api_requests(ids: dict, slices: list) -> list[tuple[str, dict]]:
    """(url, query) for every GET operation: path ids of the other scope, required query values, and
    for every operation that takes a slice, the other scope's region, team and manager."""
    document = api.get_openapi_schema(path_prefix="/api/v1/")
    requests = []
    for path, item in document["paths"].items():
        if "get" not in item:
            continue
        parameters = item["get"].get("parameters", [])
        url = re.sub(r"\{(\w+)\}", lambda m: str(ids.get(m.group(1), MISSING)), path)
        query = {p["name"]: REQUIRED_QUERY[p["name"]] for p in parameters
                 if p["in"] == "query" and p.get("required") and p["name"] in REQUIRED_QUERY}
        names = {p["name"] for p in parameters if p["in"] == "query"}
        requests.append((url, query))
        if {"dimension", "key"} <= names:
            requests += [(url, {**query, "dimension": dimension, "key": str(key)}) for dimension, key in slices]
        if "dimension" in names and path.endswith("/snapshots"):
            requests += [(url, {"dimension": d}) for d in ("all", "region", "team", "manager", "product")]
        if "parent_dimension" in names:
            requests += [(url, {**query, "dimension": "manager", "parent_dimension": d, "parent_key": str(k)})
                         for d, k in slices[:2]]
        if "manager_id" in names:
            requests.append((url, {"manager_id": ids["staff_id"]}))
        if "region_id" in names and slices[0][0] == "region":
            requests.append((url, {"region_id": slices[0][1]}))
    return requests


def _page_requests(ids: dict, slices: list) -> list[tuple[str, dict]]:
    def walk(patterns, prefix=""):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                yield from walk(pattern.url_patterns, prefix + str(pattern.pattern))
            elif isinstance(pattern, URLPattern):
                yield prefix + str(pattern.pattern)

    requests = []
    for route in walk(get_resolver().url_patterns):
        if route.startswith(SKIPPED_PAGES) or "<str:" in route or "<path:" in route or "(?P" in route:
            continue
        url = "/" + re.sub(r"<int:(\w+)>", lambda m: str(ids.get(m.group(1), MISSING)), route)
        requests.append((url, {}))
        if route.startswith("insights/"):
            requests += [(url, {"dimension": d, "key": str(k)}) for d, k in slices]
            requests += [(url, {"slice": f"{d}:{k}"}) for d, k in slices]
        if route in ("customers/", "sales/", "lending/loans/", "monitoring/"):
            requests += [(url, {"manager": ids["staff_id"]}), (url, {"owner_id": ids["staff_id"]}),
                         (url, {"status": "closed"})]
    return requests


def _walk(client: Client, books: list[dict]) -> tuple[list, list, int]:
    """Ask every GET operation and page about each book; (leaks, server errors, requests made)."""
    markers = [marker for book in books for marker in book["markers"]]
    leaks, failures, asked = [], [], set()
    for book in books:
        for url, query in _api_requests(book["ids"], book["slices"]) + _page_requests(book["ids"], book["slices"]):
            key = (url, tuple(sorted(query.items())))
            if key in asked:  # a list or a page without ids is the same question for every book
                continue
            asked.add(key)
            response = client.get(url, query)
            where = f"{url}?{'&'.join(f'{k}={v}' for k, v in query.items())}"
            if response.status_code >= 500:
                failures.append(f"{response.status_code} {where}")
                continue
            if response.status_code != 200 or "pdf" in response.get("Content-Type", ""):
                continue
            text = _text(response)
            found = [marker for marker in markers if any(shown in text for shown in _shown(marker))]
            if found:
                leaks.append(f"{where}: {', '.join(found)}")
    return leaks, failures, len(asked)


@pytest.mark.parametrize("walker", WALKERS)
def test_no_answer_carries_anything_of_another_scope(world, south, walker):
    client = Client(raise_request_exception=False)
    client.force_login(world.user(walker))
    books = [south, *(south["inner"][manager] for manager in WALKERS[walker])]
    leaks, failures, made = _walk(client, books)
    assert made > 150
    assert not failures, "server errors:\n" + "\n".join(failures)
    assert not leaks, f"{walker} learns of another scope:\n" + "\n".join(leaks)


def test_the_walk_would_see_a_leak(world, south):
    """The control: the director, who sees the whole bank, finds every book's markers in the same walk,
    so a missing marker above means a closed door, not a blind test. Walking every GET writes nothing."""
    client = Client(raise_request_exception=False)
    client.force_login(world.user("director"))
    books = [south, *south["inner"].values()]
    last_event = AuditEvent.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    leaks, failures, _made = _walk(client, books)
    # A GET changes nothing: the only record the walk may leave is the log of a whitelist download.
    written = set(AuditEvent.objects.filter(pk__gt=last_event).values_list("event_code", flat=True))
    assert written <= {"customers.segment_exported"}, written
    seen = {marker for line in leaks for marker in line.split(": ", 1)[1].split(", ")}
    # Amounts carry thousands separators on every page, so the formatted principal is seen as well.
    expected = {marker for book in books for marker in book["markers"]}
    assert not failures and seen == expected, sorted(expected - seen)
    assert sum("987654" in line for line in leaks) >= 3
