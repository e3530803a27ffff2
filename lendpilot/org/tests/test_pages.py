"""Staff and team pages through the Django test client: each role sees exactly its scope."""

import pytest
from django.urls import reverse

from lendpilot.org.models import Staff
from lendpilot.org.roles import Role

ROLES = ["director", "east_head", "south_head", "east_a_lead", "am_wang", "am_zhao", "am_sun", "am_chen",
         "risk_l1", "compliance", "operations"]


def expected_staff(world, key) -> set[int]:
    me = world.staff[key]
    everyone = Staff.objects.all()
    match me.role:
        case Role.DIRECTOR | Role.RISK_OFFICER | Role.COMPLIANCE_OFFICER | Role.OPERATIONS:
            return set(everyone.values_list("pk", flat=True))
        case Role.REGIONAL_HEAD:
            return set(everyone.filter(region=me.region).values_list("pk", flat=True))
        case Role.TEAM_LEAD:
            return set(everyone.filter(team=me.team).values_list("pk", flat=True))
        case Role.ACCOUNT_MANAGER:
            return {me.pk}
    return set()


def detail_url(member) -> str:
    return reverse("org:staff_detail", args=[member.pk])


@pytest.mark.parametrize("key", ROLES)
def test_staff_list_and_details_follow_the_scope(client, world, key):
    client.force_login(world.user(key))
    response = client.get(reverse("org:staff_list"))
    assert response.status_code == 200
    expected = expected_staff(world, key)
    assert {s.pk for s in response.context["page_obj"].paginator.object_list} == expected
    html = response.content.decode()
    for member in Staff.objects.all():
        visible = member.pk in expected
        assert (f'href="{detail_url(member)}"' in html) == visible
        assert client.get(detail_url(member)).status_code == (200 if visible else 404)


def test_channel_partner_is_refused_staff_pages(client, world):
    client.force_login(world.user("partner"))
    assert client.get(reverse("org:staff_list")).status_code == 403
    assert client.get(reverse("org:team_list")).status_code == 403
    assert client.get(detail_url(world.staff["director"])).status_code == 403


def test_team_list_follows_the_scope(client, world):
    client.force_login(world.user("east_head"))
    teams = list(client.get(reverse("org:team_list")).context["teams"])
    assert {t.code for t in teams} == {"T-EA", "T-EB"}
    client.force_login(world.user("am_chen"))
    assert [t.code for t in client.get(reverse("org:team_list")).context["teams"]] == ["T-SA"]


def test_staff_filters(client, world):
    client.force_login(world.user("director"))
    response = client.get(reverse("org:staff_list"), {"role": Role.ACCOUNT_MANAGER, "team": world.teams["east-a"].pk})
    assert {s.pk for s in response.context["page_obj"]} == {world.staff["am_wang"].pk, world.staff["am_zhao"].pk}
    response = client.get(reverse("org:staff_list"), {"q": "王芳"})
    assert [s.pk for s in response.context["page_obj"]] == [world.staff["am_wang"].pk]
    assert client.get(reverse("org:staff_list"), {"role": "pirate", "team": "x"}).status_code == 200


def test_team_lead_detail_lists_direct_reports_in_scope(client, world):
    client.force_login(world.user("east_a_lead"))
    response = client.get(detail_url(world.staff["east_a_lead"]))
    assert {s.pk for s in response.context["reports"]} == {world.staff["am_wang"].pk, world.staff["am_zhao"].pk}
