"""The board shows the longest-waiting cards of each column with the column's full count, and a column's
own page lists every card a page at a time, inside the reader's scope."""

from datetime import timedelta

import pytest
from django.utils import timezone

from lendpilot.org.access import actor_of
from lendpilot.sales import selectors
from lendpilot.sales.funnel import Node
from lendpilot.sales.models import Opportunity

pytestmark = pytest.mark.django_db


def open_opportunities(world, count, *, owner="am_wang", node=Node.FIRST_CONTACT):
    start = timezone.now() - timedelta(days=count)
    return Opportunity.objects.bulk_create(
        Opportunity(name=f"商机{i:03d}", owner=world.staff[owner], node=node, industry="C",
                    created_at=start + timedelta(days=i), node_entered_at=start + timedelta(days=i))
        for i in range(count))


def test_each_column_shows_its_longest_waiting_cards_and_its_full_count(world):
    open_opportunities(world, 7)
    columns = selectors.kanban(actor_of(world.user("director")), per_column=3)
    cards, total = columns[Node.FIRST_CONTACT]
    needs_before = Opportunity.objects.filter(node=Node.FIRST_CONTACT).count()
    assert total == needs_before
    assert len(cards) == 3
    oldest = list(Opportunity.objects.filter(node=Node.FIRST_CONTACT)
                  .order_by("node_entered_at", "id").values_list("id", flat=True)[:3])
    assert [c.pk for c in cards] == oldest


def test_the_column_page_lists_every_card_a_page_at_a_time(world, client):
    open_opportunities(world, selectors.KANBAN_COLUMN_CARDS + 5)
    client.force_login(world.user("director"))
    board = client.get("/sales/").content.decode()
    assert 'data-column-more="first_contact"' in board
    first = client.get("/sales/?node=first_contact").content.decode()
    second = client.get("/sales/?node=first_contact&page=2").content.decode()
    listed = first.count('data-opportunity="') + second.count('data-opportunity="')
    assert listed == Opportunity.objects.filter(node=Node.FIRST_CONTACT).count()
    assert client.get("/sales/?node=won").status_code == 404  # a closed node has no column


def test_a_manager_s_board_counts_only_their_own_cards(world):
    open_opportunities(world, 4, owner="am_wang")
    open_opportunities(world, 6, owner="am_sun")
    _cards, total = selectors.kanban(actor_of(world.user("am_wang")))[Node.FIRST_CONTACT]
    assert total == Opportunity.objects.filter(node=Node.FIRST_CONTACT, owner=world.staff["am_wang"]).count()
