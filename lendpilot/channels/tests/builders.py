"""Builders for channel tests: a partner admitted through the real services."""

import random
from decimal import Decimal

from lendpilot.channels.admission import Criteria
from lendpilot.channels.models import Partner
from lendpilot.channels.services import application_decide, partner_apply
from lendpilot.customers.synthetic import make_credit_code
from lendpilot.org.models import Staff
from lendpilot.testing import World

STRONG = Criteria(licence_held=True, registered_capital=Decimal("80000000"), regulatory_penalties=0,
                  complaints_per_10k=Decimal("0.8"), data_security_grade="A")
DOCUMENTS = [("licence", "DD-001"), ("security", "DD-002"), ("financials", "DD-003")]
_rng = random.Random(19)


def admit(world: World, *, name: str = "华信助贷科技有限公司", login: Staff | None = None) -> Partner:
    """File with the regional head, approve with the director: a listed partner."""
    application = partner_apply(actor=world.user("east_head"), name=name, credit_code=make_credit_code(_rng),
                                kind="platform", criteria=STRONG, documents=DOCUMENTS, login=login)
    application_decide(actor=world.user("director"), application_id=application.pk, approve=True)
    return Partner.objects.get(pk=application.partner_id)
