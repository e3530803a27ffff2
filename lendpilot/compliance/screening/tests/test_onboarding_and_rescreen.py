"""AML screening at onboarding and on every list update: a new customer (and an enterprise's legal representative)
is screened at once by whoever registers it, without the compliance permission; a hit waits in review and a
confirmed one freezes the customer without a message; a list import screens the whole book again, once per
generation of lists, resuming a sweep that was killed; `manage.py screen_customers` runs the same sweep."""

import random
from io import StringIO

from django.core.management import call_command

from lendpilot.compliance.models import AuditEvent
from lendpilot.compliance.screening import services as screening
from lendpilot.compliance.screening.models import ScreeningHit, ScreeningRun, ScreeningSweep
from lendpilot.compliance.screening.selectors import customer_ref, is_frozen
from lendpilot.compliance.screening.sources import subject_sources
from lendpilot.compliance.screening.watchlist_file import WatchRow
from lendpilot.core.reference import Industry
from lendpilot.customers.models import Customer, CustomerMessage
from lendpilot.customers.services import customer_create
from lendpilot.customers.synthetic import make_credit_code, make_id_number
from lendpilot.org.access import SYSTEM
from lendpilot.org.roles import Role
from lendpilot.org.services import staff_create
from lendpilot.testing import PASSWORD


def _list(world, *names: str, version: str = "2026-01") -> None:
    screening.watch_list_import(actor=world.user("compliance"), name="制裁名单", version=version,
                                rows=[WatchRow(n + 2, name, (), (), None, "") for n, name in enumerate(names)])


def _person(world, name: str) -> Customer:
    manager = world.staff["am_wang"]
    return customer_create(actor=world.user("am_wang"), kind=Customer.Kind.PERSON, name=name,
                           id_number=make_id_number(random.Random(len(name) + 11)), industry=Industry.TRADE,
                           region=manager.region, manager=manager)


def test_onboarding_screens_the_new_customer_at_once_and_a_confirmed_hit_freezes_it(world):
    _list(world, "ZHANG Wei")
    customer = _person(world, "张伟")  # registered by an account manager, who holds no compliance permission
    hit = ScreeningHit.objects.get(subject_ref=customer_ref(customer.pk))
    assert hit.status == ScreeningHit.Status.REVIEW and hit.score >= 0.70 and hit.matched_name == "ZHANG Wei"
    assert hit.run.trigger == ScreeningRun.Trigger.ONBOARDING and hit.run.started_by == world.user("am_wang")
    assert AuditEvent.objects.filter(event_code="compliance.screening_run", object_id=str(hit.run.pk)).exists()
    assert not is_frozen(ref=customer_ref(customer.pk))  # a hit in review freezes nothing yet

    second = staff_create(actor=None, username="compliance2", password=PASSWORD, name="合规复核",
                          employee_no="E9001", role=Role.COMPLIANCE_OFFICER).user
    screening.hit_propose(actor=world.user("compliance"), hit=hit, decision="confirmed", note="姓名与名单一致")
    screening.hit_decide(actor=second, hit=hit, approve=True)
    assert is_frozen(ref=customer_ref(customer.pk))
    assert not CustomerMessage.objects.filter(customer=customer).exists()  # frozen without notice


def test_a_homophone_and_a_legal_representative_go_to_review(world):
    _list(world, "张伟")
    assert ScreeningHit.objects.count() == 0  # the import's sweep runs after commit; nobody in the book matches
    homophone = _person(world, "章伟")
    assert ScreeningHit.objects.get(subject_ref=customer_ref(homophone.pk)).status == ScreeningHit.Status.REVIEW
    manager = world.staff["am_wang"]
    company = customer_create(actor=world.user("am_wang"), kind=Customer.Kind.ENTERPRISE, name="华东精密制造有限公司",
                              credit_code=make_credit_code(random.Random(3)), legal_representative="張偉",
                              industry=Industry.MANUFACTURING, region=manager.region, manager=manager)
    hit = ScreeningHit.objects.get(subject_ref=customer_ref(company.pk))
    assert hit.subject_name == "張偉" and hit.status == ScreeningHit.Status.REVIEW


def test_no_list_in_use_means_no_screening_record(world):
    _person(world, "张伟")
    assert not ScreeningRun.objects.exists()


def test_a_list_import_screens_the_whole_book_once(world, django_capture_on_commit_callbacks):
    listed = world.customers["am_zhao_person"]
    with django_capture_on_commit_callbacks(execute=True):
        _list(world, listed.name)
    sweep = ScreeningSweep.objects.get()
    assert sweep.finished_at is not None and sweep.run.trigger == ScreeningRun.Trigger.LIST_UPDATE
    assert sweep.run.subjects == Customer.objects.count()
    assert list(ScreeningHit.objects.values_list("subject_ref", flat=True)) == [customer_ref(listed.pk)]
    # running it again (the task retried, the command by hand) changes nothing
    assert screening.rescreen() == [sweep]
    assert ScreeningRun.objects.count() == 1 and ScreeningHit.objects.count() == 1
    # a new version of the list is a new generation: the book is screened again, old decisions kept
    with django_capture_on_commit_callbacks(execute=True):
        _list(world, listed.name, world.customers["am_chen_person"].name, version="2026-02")
    assert ScreeningSweep.objects.count() == 2
    assert ScreeningHit.objects.filter(subject_ref=customer_ref(world.customers["am_chen_person"].pk)).exists()


def test_a_killed_sweep_resumes_from_its_cursor(world):
    listed = [world.customers["am_wang_person"], world.customers["am_chen_person"]]
    _list(world, *(c.name for c in listed))
    page = subject_sources()["customers"]
    index, lists = screening.active_index()
    acting = SYSTEM
    sweep = screening._sweep_open(acting, "customers", screening.lists_generation(), lists)
    sweep = screening._sweep_step(acting, sweep, page, index, 3)  # one batch, then the worker dies
    assert sweep.finished_at is None and sweep.run.subjects == 3
    first = ScreeningHit.objects.count()
    out = StringIO()
    call_command("screen_customers", "--batch", "3", stdout=out)
    sweep.refresh_from_db()
    assert sweep.finished_at is not None and sweep.run.subjects == Customer.objects.count()
    assert ScreeningHit.objects.count() == 2 >= first
    assert f"screened {Customer.objects.count()} subjects, 2 new hits" in out.getvalue()
    again = StringIO()
    call_command("screen_customers", stdout=again)
    assert "already screened" in again.getvalue() and "0 new hits" in again.getvalue()
