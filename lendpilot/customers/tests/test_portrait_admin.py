"""Portrait reference data in the back office and the recompute command (B2, B4)."""

from io import StringIO

from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import Client

from lendpilot.customers.models import CustomerTag, TagDefinition, TierPolicy


def superuser_client():
    user = get_user_model().objects.create_superuser("root", "root@example.com", "Root-pass-123")
    client = Client()
    client.force_login(user)
    return client


def test_admin_saves_tags_through_the_service_and_refuses_a_bad_rule(world):
    client = superuser_client()
    assert client.get("/admin/customers/tagdefinition/").status_code == 200
    form = {"code": "mfg", "name_zh": "制造", "name_en": "Mfg", "theme": "basic", "source": "internal",
            "rule": 'industry == "C"', "active": "on"}
    bad = client.post("/admin/customers/tagdefinition/add/", {**form, "rule": "industry =="})
    assert bad.status_code == 200 and not TagDefinition.objects.exists()
    assert client.post("/admin/customers/tagdefinition/add/", form).status_code == 302
    tag = TagDefinition.objects.get(code="mfg")
    assert tag.member_count == 4 and CustomerTag.objects.filter(tag=tag).count() == 4
    refused = client.post("/admin/customers/tierpolicy/add/", {"strategic_min": "1", "growth_min": "2",
                                                               "high_value_clv": "1"})
    assert refused.status_code == 200 and not TierPolicy.objects.exists()
    assert client.get("/admin/customers/questionnaire/").status_code == 200


def test_recompute_command(world):
    TagDefinition.objects.create(code="east", name_zh="华东", name_en="East", theme="basic", source="internal",
                                 rule='region == "EAST"')
    out = StringIO()
    call_command("tags_recompute", "--as-of", "2025-06-30", stdout=out)
    assert "1 tags recomputed" in out.getvalue() and "6 memberships" in out.getvalue()
    call_command("tags_recompute", "--all", stdout=out)
    assert "portrait recomputed" in out.getvalue()
