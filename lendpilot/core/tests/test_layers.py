"""The dependency direction of DESIGN.md: a package never imports one on a higher floor.

Read from the source with `ast`, so a violation fails the suite the day it is written. Tests are
exempt (they build worlds from several packages); the project modules (urls, api, home) and the
demo loader sit above every package.
"""

import ast
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
    "insights": 8,
    "demo": 9,
}
ROOT = Path(__file__).resolve().parents[2]


def imported_packages(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
        elif isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
    return {name.split(".")[1] for name in names if name.startswith("lendpilot.") and name.count(".") >= 1}


def package_sources():
    for package in sorted(FLOORS):
        folder = ROOT / package
        if not folder.is_dir():
            continue
        for path in sorted(folder.rglob("*.py")):
            if "tests" in path.relative_to(folder).parts or "migrations" in path.relative_to(folder).parts:
                continue
            yield package, path


def test_every_package_directory_has_a_floor():
    packages = {p.name for p in ROOT.iterdir() if p.is_dir() and (p / "apps.py").exists()}
    assert packages <= set(FLOORS), f"give these packages a floor in DESIGN.md and here: {packages - set(FLOORS)}"


@pytest.mark.parametrize(("package", "path"), list(package_sources()), ids=lambda v: str(v).split("lendpilot/")[-1])
def test_no_import_from_a_higher_floor(package, path):
    higher = {
        other for other in imported_packages(path) if other in FLOORS and FLOORS[other] > FLOORS[package]
    }
    assert not higher, f"{path.relative_to(ROOT)} ({package}) imports higher floor(s): {sorted(higher)}"
