"""Data scopes at the selector level (X5): every role sees exactly its scope of staff and customers."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from lendpilot.customers.models import Customer
from lendpilot.customers.selectors import customer_get, customers_visible
from lendpilot.org.access import actor_of
from lendpilot.org.models import Staff
from lendpilot.org.roles import Role
from lendpilot.org.selectors import staff_get, staff_visible
from lendpilot.org.services import skills_set, staff_create


def expected_customers(world, key):
    staff = world.staff[key]
    everything = set(Customer.objects.values_list("pk", flat=True))
    match staff.role:
        case Role.DIRECTOR | Role.RISK_OFFICER | Role.COMPLIANCE_OFFICER | Role.OPERATIONS:
            return everything
        case Role.REGIONAL_HEAD:
            return set(Customer.objects.filter(manager__region=staff.region).values_list("pk", flat=True))
        case Role.TEAM_LEAD:
            return set(Customer.objects.filter(manager__team=staff.team).values_list("pk", flat=True))
        case Role.ACCOUNT_MANAGER:
            return {c.pk for c in world.customers_of(key)}
    return set()


ROLES = ["director", "east_head", "south_head", "east_a_lead", "am_wang", "am_zhao", "am_sun", "am_chen",
         "risk_l1", "compliance", "operations"]


@pytest.mark.parametrize("key", ROLES)
def test_customer_scope_matrix(world, key):
    actor = actor_of(world.user(key))
    visible = set(customers_visible(actor).values_list("pk", flat=True))
    assert visible == expected_customers(world, key)
    assert visible  # every role in the matrix sees something
    for customer in Customer.objects.exclude(pk__in=visible):
        with pytest.raises(Http404):
            customer_get(actor, customer.pk)


def test_scopes_are_nested_as_the_hierarchy(world):
    def seen(key):
        return set(customers_visible(actor_of(world.user(key))).values_list("pk", flat=True))

    assert seen("am_wang") < seen("east_a_lead") < seen("east_head") < seen("director")
    assert seen("east_head").isdisjoint(seen("south_head"))


@pytest.mark.parametrize("key", ROLES)
def test_staff_scope_matrix(world, key):
    me = world.staff[key]
    visible = set(staff_visible(actor_of(me.user)).values_list("pk", flat=True))
    everyone = Staff.objects.all()
    expected = {
        "all": set(everyone.values_list("pk", flat=True)),
        "region": set(everyone.filter(region=me.region).values_list("pk", flat=True)),
        "team": set(everyone.filter(team=me.team).values_list("pk", flat=True)),
        "own": {me.pk},
    }[actor_of(me.user).scope]
    assert visible == expected
    assert me.pk in visible
    for other in everyone.exclude(pk__in=visible):
        with pytest.raises(Http404):
            staff_get(actor_of(me.user), other.pk)


def test_channel_partner_sees_no_customers_or_staff(world):
    actor = actor_of(world.user("partner"))
    with pytest.raises(PermissionDenied):
        customers_visible(actor)
    with pytest.raises(PermissionDenied):
        staff_visible(actor)


def test_anonymous_and_inactive_users_see_nothing(world):
    from django.contrib.auth.models import AnonymousUser

    with pytest.raises(PermissionDenied):
        customers_visible(actor_of(AnonymousUser()))
    user = world.user("am_wang")
    user.is_active = False
    user.save()
    user = type(user).objects.get(pk=user.pk)
    with pytest.raises(PermissionDenied):
        customers_visible(actor_of(user))


def test_team_member_without_a_team_is_rejected(world):
    with pytest.raises(ValidationError) as exc:
        staff_create(actor=None, username="lost", password="x-Long-Password-1", name="无组", employee_no="E9999",
                     role=Role.ACCOUNT_MANAGER)
    assert "team" in exc.value.message_dict
    assert not Staff.objects.filter(employee_no="E9999").exists()


def test_team_member_takes_the_region_of_the_team(world):
    staff = staff_create(actor=None, username="newam", password="x-Long-Password-1", name="新人", employee_no="E9998",
                         role=Role.ACCOUNT_MANAGER, team=world.teams["south-a"], region=world.regions["east"])
    assert staff.region == world.regions["south"]


def test_skills_matrix_validates_codes_and_levels(world):
    am = world.staff["am_wang"]
    with pytest.raises(ValidationError) as exc:
        skills_set(actor=world.user("director"), staff=am, industries={"C": 6, "ZZ": 3},
                   product_categories={"credit": 3}, existing_customer_conversion_rate="1.5")
    assert {"industries", "level", "existing_customer_conversion_rate"} <= set(exc.value.message_dict)
    skills_set(actor=world.user("director"), staff=am, industries={"C": 5, "F": 2},
               product_categories={"credit": 4}, existing_customer_conversion_rate="0.35")
    assert dict(am.industry_expertise.values_list("industry", "level")) == {"C": 5, "F": 2}
    assert str(am.skill_profile.existing_customer_conversion_rate) == "0.3500"
    with pytest.raises(PermissionDenied):
        skills_set(actor=world.user("am_wang"), staff=am, industries={}, product_categories={},
                   existing_customer_conversion_rate="0.5")
