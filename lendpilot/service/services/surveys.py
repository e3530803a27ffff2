"""Satisfaction surveys (FEATURES D8): queued through the customer outbox after a disbursement, after a
complaint closes and once a year; the answer (0-10) comes back later."""

import logging
from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from lendpilot.compliance.audit import record_event
from lendpilot.customers.models import Customer, CustomerMessage
from lendpilot.customers.services.messages import customer_message_queue
from lendpilot.lending.models import Loan
from lendpilot.org.access import actor_of, require
from lendpilot.org.roles import Perm
from lendpilot.service.journey import TRIGGER_STAGE, stage_of
from lendpilot.service.models import Complaint, Survey

logger = logging.getLogger(__name__)

SURVEY_TEXT = {
    "disbursement": "您的贷款已发放。从0到10分，您有多大可能向朋友推荐我们？回复数字即可。",
    "complaint": "您的投诉已办结。从0到10分，您有多大可能向朋友推荐我们？回复数字即可。",
    "annual": "感谢您一年来的信任。从0到10分，您有多大可能向朋友推荐我们？回复数字即可。",
}


def survey_queue(*, customer: Customer, trigger: str, source_ref: str, today: date,
                 product_id: int | None = None) -> Survey | None:
    """Queue one survey and its outbox message; None when that cause already has its survey. Must run inside
    the caller's transaction."""
    survey, created = Survey.objects.get_or_create(
        source_ref=source_ref,
        defaults={"customer": customer, "manager_id": customer.manager_id, "product_id": product_id,
                  "tier": customer.tier, "trigger": trigger, "sent_on": today})
    if not created:
        return None
    customer_message_queue(actor=None, customer=customer, channel=CustomerMessage.Channel.SMS,
                           body=SURVEY_TEXT[trigger], purpose="nps_survey", dedup_key=f"survey:{source_ref}")
    return survey


def surveys_send(*, today: date | None = None) -> int:
    """The daily run: a survey for each loan disbursed on the business day and a yearly one on the anniversary of
    each active customer's first record. Idempotent: each cause gets one survey."""
    today = today or timezone.localdate()
    sent = 0
    with transaction.atomic():
        for loan in Loan.objects.filter(disbursed_on=today).select_related("borrower"):
            if survey_queue(customer=loan.borrower, trigger="disbursement", source_ref=f"loan:{loan.pk}",
                            today=today, product_id=loan.product_id):
                sent += 1
        anniversary = (Customer.objects.filter(lifecycle_status=Customer.Lifecycle.ACTIVE,
                                               created_at__month=today.month, created_at__day=today.day)
                       .exclude(created_at__year=today.year))
        for customer in anniversary:
            if survey_queue(customer=customer, trigger="annual", source_ref=f"year:{today.year}:{customer.pk}",
                            today=today):
                sent += 1
        if sent:
            record_event(actor=None, event_code="service.surveys_sent", object_type="service.survey",
                         after={"on": today.isoformat(), "sent": sent})
    logger.info("surveys sent", extra={"business_date": today.isoformat(), "rows": sent})
    return sent


def survey_stage(survey: Survey) -> str:
    """The journey stage an answer speaks about (F6): from the comment's words, else the stage of what caused
    the survey (the complaint's stage, the disbursement, or service for the yearly one)."""
    default = TRIGGER_STAGE.get(survey.trigger, "service")
    if survey.source_ref.startswith("complaint:"):
        complaint_stage = (Complaint.objects.filter(pk=survey.source_ref.split(":", 1)[1])
                           .values_list("stage", flat=True).first())
        default = complaint_stage or default
    return stage_of(survey.comment, default=default) if survey.comment else default


def survey_answer(*, actor, survey: Survey, score: int, comment: str = "", today: date | None = None) -> Survey:
    """Record the customer's answer (0-10), once, by someone who works the customer service desk."""
    acting = actor_of(actor)
    require(acting, Perm.WORK_COMPLAINTS)
    if not isinstance(score, int) or not 0 <= score <= 10:
        raise ValidationError({"score": _("a score is a whole number from 0 to 10")})
    today = today or timezone.localdate()
    with transaction.atomic():
        locked = Survey.objects.select_for_update().get(pk=survey.pk)
        if locked.score is not None:
            raise ValidationError({"score": _("the survey was already answered")})
        locked.score = score
        locked.comment = (comment or "").strip()
        locked.answered_on = today
        locked.stage = survey_stage(locked)
        locked.save(update_fields=["score", "comment", "answered_on", "stage"])
        record_event(actor=acting.user, event_code="service.survey_answered", obj=locked,
                     after={"score": score})
    return locked
