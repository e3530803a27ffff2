import pytest

from lendpilot.planning.tests.conftest import make_loan  # noqa: F401 (shared helper)


@pytest.fixture(autouse=True)
def english_messages(settings):
    settings.LANGUAGE_CODE = "en"
