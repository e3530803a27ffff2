from lendpilot.customers.models import Customer


def test_world_builds_every_role_and_two_customers_per_manager(world):
    assert len(world.staff) == 14
    assert Customer.objects.count() == 8
    assert all(len(world.customers_of(key)) == 2 for key in ("am_wang", "am_zhao", "am_sun", "am_chen"))
