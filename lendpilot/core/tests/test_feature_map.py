"""The README's feature map stays true: one row per FEATURES ID in ID order, pages that exist and open for
the demo login named on the row, API operations that the OpenAPI document has, roles that are demo logins."""

import re
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.urls import Resolver404, resolve

from lendpilot.api import api
from lendpilot.core.seeding import SeedContext
from lendpilot.demo.steps import run_steps

ROOT = Path(__file__).resolve().parents[3]
README = ROOT / "README.md"
FEATURES = ROOT / ".." / "shared" / "spec" / "FEATURES.md"
NOT_BUILT = "not built"
NO_PAGE = "—"  # built, reached through the API only
FEATURE_ID = re.compile(r"[A-FX][0-9]{1,2}")
SECTION_ORDER = "ABCDEFX"


@dataclass(frozen=True)
class Row:
    id: str
    feature: str
    role: str
    page: str
    api: str


def feature_map() -> list[Row]:
    text = README.read_text(encoding="utf-8")
    assert "\n## Feature map\n" in text, "README.md has no '## Feature map' section"
    section = text.split("\n## Feature map\n", 1)[1].split("\n## ", 1)[0]
    rows = []
    for line in section.splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if len(cells) == 5 and FEATURE_ID.fullmatch(cells[0]):
            rows.append(Row(*(cell.strip("`") for cell in cells)))
    return rows


def id_key(feature_id: str) -> tuple[int, int]:
    return SECTION_ORDER.index(feature_id[0]), int(feature_id[1:])


def built_pages() -> list[Row]:
    return [row for row in feature_map() if row.page not in (NOT_BUILT, NO_PAGE)]


def test_feature_map_lists_each_id_once_in_id_order():
    ids = [row.id for row in feature_map()]
    assert ids, "the feature map has no rows"
    assert len(ids) == len(set(ids)), [i for i in ids if ids.count(i) > 1]
    assert ids == sorted(ids, key=id_key)


def test_feature_map_has_a_row_for_every_feature_of_the_catalogue():
    if not FEATURES.is_file():
        pytest.skip(f"{FEATURES} is not reachable from the repository")
    catalogue = re.findall(r"^\| ([A-FX][0-9]{1,2}) \|", FEATURES.read_text(encoding="utf-8"), flags=re.MULTILINE)
    assert catalogue, "no feature IDs found in FEATURES.md"
    assert [row.id for row in feature_map()] == catalogue


def test_a_feature_not_built_has_no_api_and_a_built_one_names_a_page_or_an_api():
    for row in feature_map():
        assert row.feature and row.role, row
        if row.page == NOT_BUILT:
            assert row.api == "—", row
        else:
            assert row.page.startswith("/") or (row.page == NO_PAGE and row.api != "—"), row


def test_every_page_of_the_feature_map_resolves_to_a_route():
    unresolved = []
    for row in built_pages():
        try:
            resolve(row.page.split("?", 1)[0])
        except Resolver404:
            unresolved.append((row.id, row.page))
    assert not unresolved


def test_every_api_of_the_feature_map_is_an_operation_of_the_openapi_document():
    def shape(path: str) -> str:
        return re.sub(r"\{[^}]*\}", "{}", path.rstrip("/"))

    operations = {(method.upper(), shape(path))
                  for path, methods in api.get_openapi_schema()["paths"].items() for method in methods}
    missing = []
    for row in feature_map():
        if row.api == "—":
            continue
        method, _, path = row.api.partition(" ")
        if (method, shape(path)) not in operations:
            missing.append((row.id, row.api))
    assert not missing


@pytest.mark.django_db
def test_every_role_of_the_feature_map_is_a_demo_login_that_opens_its_page(client):
    # The organisation step alone creates every demo login; the pages then render on an empty bank,
    # which proves the route and the role's permission (the data they show is the demo's business).
    ctx = run_steps(SeedContext.create(scale="tiny", seed=42, show_progress=False), steps=("lendpilot.org.demo",))
    logins = {login.username for login in ctx.logins}
    assert {row.role for row in feature_map()} <= logins, {row.role for row in feature_map()} - logins

    users = {user.username: user for user in get_user_model().objects.filter(username__in=logins)}
    refused = []
    for row in built_pages():
        client.force_login(users[row.role])
        status = client.get(row.page).status_code
        if status != 200:
            refused.append((row.id, row.role, row.page, status))
    assert not refused
