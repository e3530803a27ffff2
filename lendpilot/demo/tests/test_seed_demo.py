"""The demo bank: reproducible for a seed, every customer owned in its region, identifiers valid
and sealed, one working login per role, an intact audit chain, and a repeatable --reset."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.db.models import Count, F
from stdnum.cn import ric, uscc

from lendpilot.compliance.audit import verify_chain
from lendpilot.compliance.crypto import decrypt, keyed_hash
from lendpilot.compliance.models import AuditEvent
from lendpilot.core.seeding import DEMO_PASSWORD, SCALES, SeedContext
from lendpilot.customers.identifiers import normalise_bank_account, normalise_mobile
from lendpilot.customers.models import Customer
from lendpilot.customers.pii import MASK_RULES
from lendpilot.demo.steps import STEPS, run_steps, seed_demo
from lendpilot.org.models import Branch, IndustryExpertise, ProductFamiliarity, Region, SkillProfile, Staff, Team
from lendpilot.org.roles import Role
from lendpilot.products.models import Product

TINY = SCALES["tiny"]


def load(seed: int = 7, *, reset: bool = False) -> SeedContext:
    return seed_demo(scale="tiny", seed=seed, reset=reset, show_progress=False)


def bank_fingerprint() -> dict:
    customers = list(
        Customer.objects.order_by("id").values_list(
            "kind", "name", "id_number_hash", "credit_code", "phone_hash", "bank_account_hash", "industry",
            "city", "address", "lifecycle_status", "region__code", "manager__employee_no",
        )
    )
    staff = list(
        Staff.objects.order_by("employee_no").values_list(
            "employee_no", "user__username", "name", "role", "team__code", "region__code", "reports_to__employee_no",
            "approval_level", "approval_limit", "hired_on",
        )
    )
    skills = sorted(IndustryExpertise.objects.values_list("staff__employee_no", "industry", "level"))
    return {"customers": customers, "staff": staff, "skills": skills}


def table_counts() -> dict[str, int]:
    models = (Region, Branch, Team, Staff, SkillProfile, IndustryExpertise, ProductFamiliarity, Product, Customer,
              AuditEvent)
    return {model._meta.label: model.objects.count() for model in models}


# --reset empties tables with TRUNCATE on PostgreSQL, which cannot run inside the test's transaction.
@pytest.mark.django_db(transaction=True)
def test_same_seed_gives_the_same_bank_and_another_seed_a_different_one():
    load(7)
    first = bank_fingerprint()
    load(7, reset=True)
    again = bank_fingerprint()
    load(8, reset=True)
    other = bank_fingerprint()

    assert len(first["customers"]) == TINY.customers
    assert first == again
    for part in ("customers", "staff", "skills"):
        assert first[part] != other[part]
    # Different in names, identifiers and assignments alike, not only in one column.
    assert {row[1] for row in first["customers"]} != {row[1] for row in other["customers"]}
    assert {row[2] for row in first["customers"]}.isdisjoint({row[2] for row in other["customers"]} - {""})
    assert [row[-1] for row in first["customers"]] != [row[-1] for row in other["customers"]]


@pytest.mark.django_db
def test_every_customer_is_owned_by_an_account_manager_of_its_region():
    load()
    assert Customer.objects.count() == TINY.customers
    assert not Customer.objects.exclude(manager__role=Role.ACCOUNT_MANAGER).exists()
    assert not Customer.objects.exclude(region=F("manager__region")).exists()
    # Every region has customers, and persons and enterprises both appear.
    assert Customer.objects.values("region").distinct().count() == 7
    kinds = dict(Customer.objects.values_list("kind").annotate(n=Count("id")))
    assert kinds[Customer.Kind.PERSON] > kinds[Customer.Kind.ENTERPRISE] > 0


@pytest.mark.django_db
def test_identifiers_are_valid_sealed_and_absent_from_the_raw_columns():
    load()
    plaintexts: set[str] = set()
    for customer in Customer.objects.all():
        if customer.kind == Customer.Kind.PERSON:
            assert customer.id_number_cipher
        else:
            assert uscc.is_valid(customer.credit_code)
        for field, validate in (("id_number", ric.validate), ("phone", normalise_mobile),
                                ("bank_account", normalise_bank_account)):
            cipher = getattr(customer, f"{field}_cipher")
            if not cipher:
                assert getattr(customer, f"{field}_hash") == getattr(customer, f"{field}_masked") == ""
                continue
            value = decrypt(cipher)
            assert validate(value) == value
            assert getattr(customer, f"{field}_hash") == keyed_hash(value)
            keep_start, keep_end = MASK_RULES[field]
            masked = getattr(customer, f"{field}_masked")
            assert masked[:keep_start] == value[:keep_start] and masked[-keep_end:] == value[-keep_end:]
            assert "*" in masked and masked != value
            plaintexts.add(value)
        if customer.id_number_cipher:
            assert customer.birth_date == ric.get_birth_date(decrypt(customer.id_number_cipher))
    assert len(plaintexts) > TINY.customers

    # Read the table as stored, below the ORM: no column holds or contains a plaintext identifier.
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {connection.ops.quote_name(Customer._meta.db_table)}")  # noqa: S608
        rows = cursor.fetchall()
    cells = [str(cell) for row in rows for cell in row if cell is not None]
    assert plaintexts.isdisjoint(cells)
    id_numbers = {value for value in plaintexts if len(value) == 18 and ric.is_valid(value)}
    blob = "\n".join(cells)
    assert not any(number in blob for number in id_numbers)


@pytest.mark.django_db
def test_one_login_per_role_and_each_can_log_in(client):
    ctx = load()
    roles = {Staff.objects.get(user__username=login.username).role for login in ctx.logins}
    assert roles == set(Role.values)
    usernames = [login.username for login in ctx.logins]
    for username in ("director", "east_head", "northeast_head", "lead_demo", "am_demo", "risk_l1", "risk_l2",
                     "risk_l3", "compliance", "operations", "partner"):
        assert username in usernames
    for login in ctx.logins:
        assert client.login(username=login.username, password=DEMO_PASSWORD), login.username
        client.logout()
    assert not client.login(username="am_demo", password="wrong-password")
    levels = dict(Staff.objects.filter(user__username__in=["risk_l1", "risk_l2", "risk_l3"])
                  .values_list("user__username", "approval_level"))
    assert levels == {"risk_l1": 1, "risk_l2": 2, "risk_l3": 3}


@pytest.mark.django_db
def test_audit_chain_verifies_with_one_batch_event_per_step_and_no_row_per_customer():
    load()
    report = verify_chain()
    assert report.ok, report.reason
    batch = AuditEvent.objects.filter(event_code="demo.bank_seeded")
    assert batch.count() == len(STEPS)
    customers_event = batch.get(after__step="customers")
    assert customers_event.after["counts"]["customers"] == TINY.customers
    assert not AuditEvent.objects.filter(event_code="customers.customer_created").exists()


@pytest.mark.django_db(transaction=True)
def test_command_reset_twice_gives_the_same_counts_and_refuses_a_loaded_database_without_it():
    out = StringIO()
    call_command("seed_demo", "--scale", "tiny", "--seed", "3", "--reset", "--no-progress", stdout=out)
    first = table_counts()
    assert "am_demo" in out.getvalue() and DEMO_PASSWORD in out.getvalue()
    call_command("seed_demo", "--scale", "tiny", "--seed", "3", "--reset", "--no-progress", stdout=StringIO())
    assert table_counts() == first
    assert verify_chain().ok
    with pytest.raises(CommandError):
        call_command("seed_demo", "--scale", "tiny", "--no-progress", stdout=StringIO())
    assert table_counts() == first


@pytest.mark.django_db
def test_small_organisation_has_the_promised_shape():
    ctx = SeedContext.create(scale="small", seed=42, show_progress=False)
    run_steps(ctx, steps=("lendpilot.org.demo",))
    scale = SCALES["small"]
    assert set(Region.objects.values_list("name_zh", flat=True)) == {"华东", "华南", "华北", "华中", "西南", "西北",
                                                                    "东北"}
    assert Team.objects.count() == scale.teams
    assert set(Team.objects.values_list("channel", flat=True)) == set(Team.Channel.values)
    by_role = dict(Staff.objects.values_list("role").annotate(n=Count("id")))
    assert by_role[Role.ACCOUNT_MANAGER] == scale.account_managers
    assert by_role[Role.TEAM_LEAD] == scale.teams
    assert by_role[Role.REGIONAL_HEAD] == 7 and by_role[Role.DIRECTOR] == 1
    assert by_role[Role.RISK_OFFICER] == sum(scale.risk_officers)
    # The skills matrix: every account manager has a profile, all six product families, 2-5 industries.
    managers = Staff.objects.filter(role=Role.ACCOUNT_MANAGER)
    assert SkillProfile.objects.filter(staff__in=managers).count() == scale.account_managers
    familiarity = managers.annotate(n=Count("product_familiarity")).values_list("n", flat=True)
    assert set(familiarity) == {6}
    expertise = set(managers.annotate(n=Count("industry_expertise")).values_list("n", flat=True))
    assert expertise <= {2, 3, 4, 5}
    # Team members sit in their team's region; leads report to their regional head.
    assert not Staff.objects.filter(team__isnull=False).exclude(region=F("team__region")).exists()
    assert not Staff.objects.filter(role=Role.TEAM_LEAD).exclude(reports_to__role=Role.REGIONAL_HEAD).exists()


@pytest.mark.postgres
@pytest.mark.django_db
def test_a_large_load_rebuilds_every_index_it_dropped(monkeypatch):
    if connection.vendor != "postgresql":
        pytest.skip("index rebuilding applies to PostgreSQL")

    def indexes() -> list[str]:
        with connection.cursor() as cursor:
            cursor.execute("SELECT indexdef FROM pg_indexes WHERE tablename = %s ORDER BY indexname",
                           [Customer._meta.db_table])
            return [row[0] for row in cursor.fetchall()]

    before = indexes()
    monkeypatch.setattr("lendpilot.core.seeding.REBUILD_INDEXES_FROM", 0)
    load()
    assert Customer.objects.count() == TINY.customers
    assert indexes() == before
    assert len(before) > 10
