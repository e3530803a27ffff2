"""What the compliance reviewer checks for each kind of material, with the rule each item cites, and the
disclosures a contract must carry before it is signed (no ORM)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import gettext_lazy as _

APR_RULE = "中国人民银行公告〔2021〕第3号"
CONSUMER_RULE = "《银行保险机构消费者权益保护管理办法》第十三条"
NO_PROMISE = ("no_forbidden_promise", _("No promise of approval, yield or risk-free borrowing"), CONSUMER_RULE)
# kind -> [(item code, what is checked, the rule)]
CHECKLISTS: dict[str, list[tuple[str, object, str]]] = {
    "product_version": [
        ("apr_disclosed", _("The annual percentage rate (APR) is shown wherever a price is"), APR_RULE),
        ("fees_listed", _("Every fee is listed with its amount or rate"),
         "《银行保险机构消费者权益保护管理办法》第十五条"),
        ("target_customers", _("Eligible customers and purposes of use are defined"), "《个人贷款管理办法》第五条"),
        ("aml_cdd", _("Customer due diligence and sanctions screening are part of onboarding"),
         "《反洗钱法》（2024年修订）第二十八条"),
    ],
    "playbook_script": [
        NO_PROMISE,
        ("apr_disclosed", _("Prices are quoted as APR"), APR_RULE),
        ("consent", _("Personal information is collected only with consent and for the stated purpose"),
         "《个人信息保护法》第十三条、第十四条"),
    ],
    "objection_answer": [
        NO_PROMISE,
        ("truthful", _("Comparisons with competitors are true and verifiable"), "《反不正当竞争法》第八条"),
    ],
    "partner_toolkit": [
        NO_PROMISE,
        ("lender_named", _("The lender is named and the partner's role is stated"),
         "《商业银行互联网贷款管理暂行办法》第五十三条"),
        ("apr_disclosed", _("Prices are quoted as APR"), APR_RULE),
    ],
}
KINDS = tuple(CHECKLISTS)


@dataclass(frozen=True)
class ContractFacts:
    """What a contract about to be signed states, as plain values (lending passes them)."""

    apr: Decimal | None
    total_cost: Decimal | None
    penalty_terms: str
    cooling_off_days: int | None
    product_has_cooling_off: bool
    identity_verified: bool


GAP_LABELS = {
    "apr": _("the annual percentage rate (APR) is not disclosed"),
    "total_cost": _("the total cost of the credit (interest and fees) is not disclosed"),
    "penalty": _("the penalty interest terms are not disclosed"),
    "cooling_off": _("the product's cooling-off period is not stated in the contract"),
    "identity": _("the signer's identity is not verified (no identity document on file, or the identity check "
                  "failed)"),
}


def contract_gaps(facts: ContractFacts) -> list[str]:
    """The missing disclosures or steps (codes); empty when the contract may be signed."""
    gaps = []
    if facts.apr is None or facts.apr <= 0:
        gaps.append("apr")
    if facts.total_cost is None or facts.total_cost <= 0:
        gaps.append("total_cost")
    if not (facts.penalty_terms or "").strip():
        gaps.append("penalty")
    if facts.product_has_cooling_off and not facts.cooling_off_days:
        gaps.append("cooling_off")
    if not facts.identity_verified:
        gaps.append("identity")
    return gaps
