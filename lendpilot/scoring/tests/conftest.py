"""Scoring fixtures: trained results are cached per session (training takes seconds); a version row
is created from them per test and activated through the service (maker-checker)."""

import pytest

from lendpilot.scoring import synthetic, training
from lendpilot.scoring.models import ScorecardVersion
from lendpilot.scoring.services import scorecard_activate


@pytest.fixture(scope="session")
def german_frame():
    return training.load_csv(training.german_credit_path())


@pytest.fixture(scope="session")
def german_result(german_frame):
    return training.train(german_frame, target="creditability")


@pytest.fixture(scope="session")
def synthetic_result():
    return training.train(synthetic.training_frame(4000, seed=11), target="bad", with_cv=False)


def store_version(result, *, family="credit", trained_by=None, number=None) -> ScorecardVersion:
    number = number or (ScorecardVersion.objects.filter(family=family).count() + 1)
    return ScorecardVersion.objects.create(
        family=family, number=number, config=result.config, table=result.table, training_summary=result.summary,
        metrics=result.metrics, trained_by=trained_by, source="test",
    )


@pytest.fixture
def active_version(world, synthetic_result):
    """The synthetic scorecard, trained by risk_l1 and activated by risk_l2, for the credit and mortgage
    families."""
    versions = {}
    for family in ("credit", "mortgage"):
        version = store_version(synthetic_result, family=family, trained_by=world.user("risk_l1"))
        versions[family] = scorecard_activate(actor=world.user("risk_l2"), version=version)
    return versions["credit"]
