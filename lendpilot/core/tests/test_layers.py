"""The dependency direction of DESIGN.md: a package never imports one on a higher floor.

Read from the source with `ast` (and the templates with a regular expression), so a violation fails the suite
the day it is written. Four rules:

- a package's modules import only packages on its floor or below; the project modules (urls, api, home,
  settings, conftest, testing) are the top floor, above every package;
- a template of package X links (`{% url %}`) only to pages of X's floor or below, except the navigation
  templates that exist to reach every page;
- the pure modules (computations on plain data) import neither `django.db` nor a package's models,
  services or selectors;
- every package directory has a floor, and every floor names a package that exists or one DESIGN.md plans.

Tests are exempt (they build worlds from several packages).
"""

import ast
import re
from pathlib import Path

import pytest

FLOORS = {
    "core": 0,
    "compliance": 1,
    "org": 1,
    "customers": 2,
    "products": 2,
    "scoring": 3,
    "channels": 3,
    "lending": 4,
    "sales": 5,
    "planning": 6,
    "market": 6,
    "service": 6,
    "monitoring": 6,
    "incentives": 7,
    "talent": 8,
    "insights": 9,
    "demo": 10,
}
# Packages DESIGN.md places on a floor before their code is written: a floor may wait for them.
PLANNED = frozenset({"channels", "market", "service", "talent"})
# The Django project around the packages: page routes, the API root, the home page, settings, the test world.
PROJECT_MODULES = frozenset({"urls", "api", "home", "settings", "wsgi", "conftest", "testing"})
TOP_FLOOR = max(FLOORS.values()) + 1
# Benchmarks measure against the test world, as the tests do; nothing else in a package may.
BENCHMARK_MAY_IMPORT = frozenset({"testing"})
# Templates that exist to reach pages of every floor: the site's navigation and home page, and the tab bar
# that joins targets (planning) with pay (incentives).
NAVIGATION_TEMPLATES = frozenset({
    "core/templates/core/base.html",
    "core/templates/core/home.html",
    "planning/templates/planning/_nav.html",
})
# Links up a floor that are known and meant: the customer page's button to the sales view of the customer.
KNOWN_UPWARD_LINKS = frozenset({
    ("customers/templates/customers/customer_detail.html", "sales"),
})
PURE_MODULES = (
    "core/money.py",
    "core/months.py",
    "core/calendar_seed.py",
    "core/field_values.py",
    "compliance/crypto.py",
    "compliance/screening/names.py",
    "org/calendar/csv_format.py",
    "customers/identifiers.py",
    "customers/tiering.py",
    "customers/synthetic.py",
    "products/offer.py",
    "scoring/scorecard.py",
    "scoring/policy.py",
    "scoring/monitoring.py",
    "scoring/training.py",
    "lending/schedule.py",
    "lending/allocation.py",
    "lending/classification.py",
    "lending/authority.py",
    "sales/assignment.py",
    "sales/next_best_action.py",
    "planning/decompose.py",
    "planning/reset.py",
    "monitoring/thresholds.py",
    "monitoring/rules.py",
    "monitoring/analytics.py",
    "monitoring/industry.py",
    "incentives/commission.py",
    "incentives/vesting.py",
    "incentives/honours.py",
    "incentives/appraisal.py",
    "insights/conversion.py",
    "insights/diagnostics.py",
    "lending/case_gaps.py",
    "compliance/checkpoints/checklist.py",
    "compliance/drills/anomaly.py",
    "compliance/register/coverage.py",
    "talent/matching.py",
    "talent/recruiting.py",
    "talent/ninebox.py",
    "talent/certificates.py",
    "talent/rubric.py",
    "market/rates.py",
    "market/elasticity.py",
    "market/capacity.py",
    "market/figures_file.py",
    "market/pilots/design.py",
    "market/pilots/effect.py",
)
ROOT = Path(__file__).resolve().parents[2]
URL_TAG = re.compile(r"""\{%\s*url\s+["']([\w-]+):""")


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
            if node.module == "lendpilot":  # `from lendpilot import urls`
                names.update(f"lendpilot.{alias.name}" for alias in node.names)
        elif isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
    return names


def imported_packages(path: Path) -> set[str]:
    """The first name under `lendpilot.` of every lendpilot import: a package or a project module."""
    return {name.split(".")[1] for name in imported_modules(path) if name.startswith("lendpilot.")}


def floor_of(name: str) -> int | None:
    if name in PROJECT_MODULES:
        return TOP_FLOOR
    return FLOORS.get(name)


def existing_packages() -> set[str]:
    return {p.name for p in ROOT.iterdir() if p.is_dir() and (p / "apps.py").exists()}


def package_sources():
    for package in sorted(FLOORS):
        folder = ROOT / package
        if not folder.is_dir():
            continue
        for path in sorted(folder.rglob("*.py")):
            if "tests" in path.relative_to(folder).parts or "migrations" in path.relative_to(folder).parts:
                continue
            yield package, path


def package_templates():
    for package in sorted(FLOORS):
        folder = ROOT / package / "templates"
        if folder.is_dir():
            for path in sorted(folder.rglob("*.html")):
                yield package, path


def test_every_package_directory_has_a_floor():
    packages = existing_packages()
    assert packages <= set(FLOORS), f"give these packages a floor in DESIGN.md and here: {packages - set(FLOORS)}"


def test_every_floor_is_an_existing_or_planned_package():
    stale = set(FLOORS) - existing_packages() - PLANNED
    assert not stale, f"these floors name packages that neither exist nor are planned: {sorted(stale)}"


def test_project_modules_are_no_packages():
    assert not PROJECT_MODULES & set(FLOORS)
    for name in PROJECT_MODULES - {"conftest"}:
        assert (ROOT / f"{name}.py").exists(), f"lendpilot/{name}.py is listed as a project module but is missing"


@pytest.mark.parametrize(("package", "path"), list(package_sources()), ids=lambda v: str(v).split("lendpilot/")[-1])
def test_no_import_from_a_higher_floor(package, path):
    allowed = BENCHMARK_MAY_IMPORT if path.name == "benchmarks.py" else frozenset()
    higher = {
        other for other in imported_packages(path) - allowed
        if (floor := floor_of(other)) is not None and floor > FLOORS[package]
    }
    assert not higher, f"{path.relative_to(ROOT)} ({package}) imports higher floor(s): {sorted(higher)}"


@pytest.mark.parametrize(("package", "path"), list(package_templates()), ids=lambda v: str(v).split("lendpilot/")[-1])
def test_templates_link_no_higher_floor(package, path):
    relative = str(path.relative_to(ROOT))
    if relative in NAVIGATION_TEMPLATES:
        return
    higher = {
        namespace for namespace in URL_TAG.findall(path.read_text(encoding="utf-8"))
        if FLOORS.get(namespace, TOP_FLOOR) > FLOORS[package] and (relative, namespace) not in KNOWN_UPWARD_LINKS
    }
    assert not higher, f"{relative} ({package}) links to pages of higher floor(s): {sorted(higher)}"


def test_the_pure_modules_exist():
    missing = [name for name in PURE_MODULES if not (ROOT / name).exists()]
    assert not missing, f"listed as pure but missing (moved? update PURE_MODULES): {missing}"


@pytest.mark.parametrize("name", [n for n in PURE_MODULES if (ROOT / n).exists()])
def test_pure_modules_use_no_orm(name):
    orm = {
        module for module in imported_modules(ROOT / name)
        if module == "django.db" or module.startswith("django.db.")
        or (module.startswith("lendpilot.") and module.rsplit(".", 1)[-1] in {"models", "services", "selectors"})
    }
    assert not orm, f"lendpilot/{name} is a pure module but imports {sorted(orm)}"


def test_the_checks_see_a_violation(tmp_path):
    """The readers find what they look for (a rule that cannot fail proves nothing)."""
    module = tmp_path / "module.py"
    module.write_text("from lendpilot.insights import selectors\nfrom lendpilot import urls\nimport django.db\n")
    assert imported_packages(module) == {"insights", "urls"}
    assert "django.db" in imported_modules(module)
    assert URL_TAG.findall("{% url 'sales:lead' lead.pk %} {% url \"insights:cockpit\" %}") == ["sales", "insights"]
    assert floor_of("testing") > FLOORS["demo"]
