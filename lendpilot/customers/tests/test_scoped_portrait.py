"""The portrait tells each reader only about its own customers: tag catalogue counts are counted inside
the reader's scope, and reading a segment's members (API or CSV) changes no business row."""

import pytest
from django.test import Client

from lendpilot.compliance.models import AuditEvent
from lendpilot.customers import services
from lendpilot.customers.models import Segment
from lendpilot.customers.tests.test_portrait import tagged  # noqa: F401 (fixture)

pytestmark = pytest.mark.django_db


def client_for(world, key) -> Client:
    client = Client()
    client.force_login(world.user(key))
    return client


def catalogue_counts(client) -> dict[str, int]:
    body = client.get("/api/v1/portrait/tags", {"limit": 100}).json()
    return {row["code"]: row["member_count"] for row in body["items"]}


def test_tag_catalogue_counts_only_the_readers_customers(tagged):  # noqa: F811
    assert catalogue_counts(client_for(tagged, "director"))["industry_c"] == 4
    assert catalogue_counts(client_for(tagged, "am_wang"))["industry_c"] == 1
    assert catalogue_counts(client_for(tagged, "east_a_lead"))["industry_c"] == 2
    assert catalogue_counts(client_for(tagged, "south_head"))["region_east"] == 0
    page = client_for(tagged, "am_chen").get("/customers/tags/", {"q": "industry_c"}).content.decode()
    assert '<td class="text-end">1</td>' in page and '<td class="text-end">4</td>' not in page


def test_reading_a_segments_members_writes_nothing(tagged):  # noqa: F811
    segment = services.segment_save(actor=tagged.user("am_wang"), name="我的制造业", query="制造业")
    Segment.objects.filter(pk=segment.pk).update(member_count=99)
    before = (AuditEvent.objects.count(), Segment.objects.values_list("member_count", "counted_at").get())
    director = client_for(tagged, "director")
    for _ in range(2):
        body = director.get(f"/api/v1/portrait/segments/{segment.pk}/members").json()
        assert body["customer_ids"] == [tagged.customers["am_wang_company"].pk]
    assert (AuditEvent.objects.count(), Segment.objects.values_list("member_count", "counted_at").get()) == before
    assert director.get(f"/customers/segments/{segment.pk}/export.csv").status_code == 200
    # The download is logged (who took which whitelist out), but no business row changes.
    assert Segment.objects.values_list("member_count", "counted_at").get() == before[1]
    assert AuditEvent.objects.filter(event_code="customers.segment_exported").count() == 1
