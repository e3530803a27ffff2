"""The segment whitelist CSV writes customer names as text, never as a spreadsheet formula."""

import csv
import io

from django.test import Client

from lendpilot.customers import services
from lendpilot.customers.models import Customer
from lendpilot.testing import PASSWORD

HOSTILE = '=HYPERLINK("http://evil.example","click")'


def test_segment_export_neutralises_a_formula_in_a_customer_name(world):
    target = world.customers["am_chen_person"]
    Customer.objects.filter(pk=target.pk).update(name=HOSTILE)
    segment = services.segment_save(actor=world.user("director"), name="华南", query="region = SOUTH")
    client = Client()
    assert client.login(username="director", password=PASSWORD)
    response = client.get(f"/customers/segments/{segment.pk}/export.csv")
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    names = {row[0]: row[1] for row in rows[1:]}
    assert names[str(target.pk)] == "'" + HOSTILE
