"""Builders for channel tests: a partner admitted through the real services, its staff trained."""

import random
from decimal import Decimal

from lendpilot.channels.admission import Criteria
from lendpilot.channels.models import Course, Partner
from lendpilot.channels.services import (
    application_decide,
    course_result_record,
    course_save,
    partner_apply,
    partner_staff_add,
)
from lendpilot.customers.synthetic import make_credit_code
from lendpilot.org.models import Staff
from lendpilot.testing import World

STRONG = Criteria(licence_held=True, registered_capital=Decimal("80000000"), regulatory_penalties=0,
                  complaints_per_10k=Decimal("0.8"), data_security_grade="A")
DOCUMENTS = [("licence", "DD-001"), ("security", "DD-002"), ("financials", "DD-003")]
_rng = random.Random(19)


def compliance_course(world: World) -> Course:
    return course_save(actor=world.user("east_head"), code="CMP-101", title="合规销售与消费者权益保护",
                       kind=Course.Kind.COMPLIANCE)


def without_world_partner(world: World) -> None:
    """Take the world's ready-made partner away, for tests that count or rank every listed partner (or admit
    their own partner for the world's login)."""
    Partner.objects.filter(login=world.staff["partner"], applications__isnull=True).delete()


def admit(world: World, *, name: str = "远景助贷科技有限公司", login: Staff | None = None,
          trained: bool = True) -> Partner:
    """File with the regional head, approve with the director: a listed partner. A `login` already linked to
    the world's ready-made partner replaces it; `trained` puts one member of staff with the compliance course
    passed on its roster."""
    if login is not None:
        without_world_partner(world)
    application = partner_apply(actor=world.user("east_head"), name=name, credit_code=make_credit_code(_rng),
                                kind="platform", criteria=STRONG, documents=DOCUMENTS, login=login)
    application_decide(actor=world.user("director"), application_id=application.pk, approve=True)
    if trained:
        member = partner_staff_add(actor=world.user("east_head"), partner_id=application.partner_id,
                                   name="销售专员", employee_ref="S-001")
        course_result_record(actor=world.user("east_head"), staff_id=member.pk,
                             course_id=compliance_course(world).pk, score=85)
    return Partner.objects.get(pk=application.partner_id)
