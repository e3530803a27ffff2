"""The home page and the shell: sign-in, role-aware navigation, the language switch."""

import pytest
from django.urls import reverse

from lendpilot.testing import PASSWORD

ALL_ROLES = ["director", "east_head", "south_head", "east_a_lead", "am_wang", "am_zhao", "am_sun", "am_chen",
             "risk_l1", "compliance", "operations", "partner"]


@pytest.mark.parametrize("key", ALL_ROLES)
def test_every_role_has_a_home_page(client, world, key):
    client.force_login(world.user(key))
    response = client.get(reverse("home"))
    assert response.status_code == 200


def test_home_counts_follow_the_scope(client, world):
    client.force_login(world.user("director"))
    context = client.get(reverse("home")).context
    assert context["customer_count"] == len(world.customers)
    assert {row["count"] for row in context["customers_by_region"]} == {6, 2}
    assert b"chart-customers-by-region" in client.get(reverse("home")).content
    client.force_login(world.user("am_wang"))
    context = client.get(reverse("home")).context
    assert context["customer_count"] == 2
    assert {c.pk for c in context["recent_customers"]} == {c.pk for c in world.customers_of("am_wang")}


def test_navigation_follows_permissions(client, world):
    client.force_login(world.user("partner"))
    html = client.get(reverse("home")).content.decode()
    assert 'id="nav-products"' in html
    assert 'id="nav-customers"' not in html and 'id="nav-staff"' not in html
    client.force_login(world.user("director"))
    html = client.get(reverse("home")).content.decode()
    assert 'id="nav-customers"' in html and 'id="nav-staff"' in html


def test_sign_in_and_out(client, world):
    response = client.post(reverse("login"), {"username": "am_wang", "password": PASSWORD})
    assert response.status_code == 302 and response["Location"] == reverse("home")
    response = client.post(reverse("login"), {"username": "am_wang", "password": "wrong"})
    assert response.status_code == 200 and not response.context["form"].is_valid()
    client.force_login(world.user("am_wang"))
    assert client.post(reverse("logout")).status_code == 302
    assert client.get(reverse("home")).status_code == 302


def test_language_switch_changes_the_navigation(client, world):
    client.force_login(world.user("director"))
    assert "客户" in client.get(reverse("home")).content.decode()
    client.post(reverse("set_language"), {"language": "en", "next": reverse("home")})
    html = client.get(reverse("home")).content.decode()
    assert ">Customers<" in html
    client.post(reverse("set_language"), {"language": "zh-hans", "next": reverse("home")})
    assert ">客户<" in client.get(reverse("home")).content.decode()


def test_lending_and_scoring_entries_follow_permissions(client, world):
    client.force_login(world.user("director"))
    html = client.get(reverse("home")).content.decode()
    assert 'id="nav-applications"' in html and 'id="nav-scoring"' in html
    client.force_login(world.user("partner"))
    html = client.get(reverse("home")).content.decode()
    assert 'id="nav-applications"' not in html and 'id="nav-scoring"' not in html


def test_the_menu_marks_the_current_page_and_its_group(client, world):
    client.force_login(world.user("director"))
    html = client.get(reverse("customers:tags")).content.decode()
    assert 'class="dropdown-item active" aria-current="page" id="nav-tags"' in html
    assert 'class="dropdown-item" id="nav-customers"' in html
    assert 'class="nav-link dropdown-toggle active" type="button" id="nav-group-customers"' in html
