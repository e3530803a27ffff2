"""The playbook's authoring page (C7): a new entry is a draft, goes to compliance from the page, and is
published from the page only once compliance approved its exact text; an account manager has no such page."""

import pytest

from lendpilot.compliance.checkpoints.models import CheckpointReview
from lendpilot.sales.models import PlaybookEntry
from lendpilot.testing import clear_review

pytestmark = pytest.mark.django_db


def test_an_entry_is_drafted_reviewed_and_published_through_the_page(world, client):
    client.force_login(world.user("director"))
    assert client.get("/sales/").content.decode().count('id="sales-playbook"') == 1
    client.post("/sales/playbook/", {"action": "create", "kind": "script", "node": "first_contact", "objection": "",
                                     "title": "首次拜访开场", "body": "您好，我行经营贷年化利率（单利）4.35%起。"})
    entry = PlaybookEntry.objects.get(title="首次拜访开场")
    assert not entry.is_active
    client.post("/sales/playbook/", {"action": "publish", "entry": entry.pk})
    entry.refresh_from_db()
    assert not entry.is_active  # not approved yet: refused
    client.post("/sales/playbook/", {"action": "submit", "entry": entry.pk})
    review = CheckpointReview.objects.filter(subject_ref=f"sales.playbook:{entry.pk}").latest("pk")
    clear_review(world, review)
    client.post("/sales/playbook/", {"action": "publish", "entry": entry.pk})
    entry.refresh_from_db()
    assert entry.is_active
    page = client.get("/sales/playbook/").content.decode()
    assert f'data-entry="{entry.pk}"' in page


def test_an_account_manager_may_not_write_the_playbook(world, client):
    client.force_login(world.user("am_wang"))
    assert client.get("/sales/playbook/").status_code == 403
