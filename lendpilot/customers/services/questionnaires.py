"""Needs questionnaires (D1): publish a version, record a customer's answers into their needs columns.
"""

import datetime as _dt
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from lendpilot.compliance.audit import record_event
from lendpilot.customers.models import (
    Customer,
    CustomerNeeds,
    Question,
    Questionnaire,
    QuestionnaireResponse,
)
from lendpilot.customers.needs_labels import choice_label
from lendpilot.customers.services.tags import CODE_PATTERN, tags_refresh_customers
from lendpilot.org.access import actor_of, require
from lendpilot.org.roles import Perm

NEEDS_COLUMNS = {"purpose": "purpose", "amount": "amount", "term_months": "term_months",
                 "cashflow_cycle": "cashflow_cycle", "collateral": "collateral", "existing_debts": "existing_debts",
                 "risk_appetite": "risk_appetite"}


def _question_errors(questions: list[dict[str, Any]]) -> dict[str, str]:
    """A message per bad question, keyed `questions.<code or position>`."""
    errors: dict[str, str] = {}
    seen = set()
    for i, q in enumerate(questions):
        qcode = q.get("code", "")
        key = f"questions.{qcode or i}"
        if not CODE_PATTERN.match(qcode or "") or qcode in seen:
            errors[key] = _("each question needs its own code")
        seen.add(qcode)
        if q.get("kind") not in Question.Kind.values:
            errors[key] = _("unknown question kind")
        elif q["kind"] == Question.Kind.CHOICE and not q.get("choices"):
            errors[key] = _("a choice question needs choices")
        if not (q.get("label_zh") or "").strip():
            errors[key] = _("a question needs its text")
    return errors


@transaction.atomic
def questionnaire_publish(*, actor, code: str, title: str, questions: list[dict]) -> Questionnaire:
    """Publish a new version of a questionnaire (D1): the previous version stops taking answers; answers
    given on it keep pointing at it. Each question: code, label_zh, label_en, kind, choices (for
    "choice"), required, min_value, max_value. Rejects duplicate or bad codes, unknown kinds and a
    choice question without choices, naming the question."""
    acting = actor_of(actor)
    require(acting, Perm.MANAGE_TAGS)
    errors: dict[str, str] = {}
    if not CODE_PATTERN.match(code or ""):
        errors["code"] = _("a code is 2-60 lower-case letters, digits or underscores")
    if not (title or "").strip():
        errors["title"] = _("a title is required")
    if not questions:
        errors["questions"] = _("a questionnaire needs at least one question")
    errors.update(_question_errors(questions or []))
    if errors:
        raise ValidationError(errors)
    previous = Questionnaire.objects.select_for_update().filter(code=code).order_by("-version").first()
    Questionnaire.objects.filter(code=code, active=True).update(active=False)
    questionnaire = Questionnaire.objects.create(code=code, version=(previous.version + 1) if previous else 1,
                                                 title=title.strip(), active=True)
    Question.objects.bulk_create([
        Question(questionnaire=questionnaire, code=q["code"], label_zh=q["label_zh"].strip(),
                 label_en=(q.get("label_en") or q["code"]).strip(), kind=q["kind"], choices=q.get("choices") or [],
                 required=q.get("required", True), min_value=q.get("min_value"), max_value=q.get("max_value"),
                 position=i)
        for i, q in enumerate(questions)])
    record_event(actor=acting.user, event_code="customers.questionnaire_published", obj=questionnaire,
                 after={"code": code, "version": questionnaire.version, "questions": [q["code"] for q in questions]})
    return questionnaire


def _answer_value(question: Question, raw):
    """The answer in its stored form, or raise ValueError with the reason."""
    if question.kind == Question.Kind.CHOICE:
        allowed = [c["value"] if isinstance(c, dict) else c for c in question.choices]
        if raw not in allowed:
            raise ValueError(_("choose one of %(choices)s") % {
                "choices": ", ".join(choice_label(question.code, c) for c in question.choices)})
        return raw
    if question.kind in (Question.Kind.NUMBER, Question.Kind.MONEY):
        try:
            number = Decimal(str(raw).replace(",", "").strip())
        except Exception:  # noqa: BLE001 (any unreadable number is the same user error)
            raise ValueError(_("enter a number")) from None
        if not number.is_finite():
            raise ValueError(_("enter a number"))
        if question.min_value is not None and number < question.min_value:
            raise ValueError(_("at least %(min)s") % {"min": question.min_value})
        if question.max_value is not None and number > question.max_value:
            raise ValueError(_("at most %(max)s") % {"max": question.max_value})
        return str(number.quantize(Decimal("0.01")) if question.kind == Question.Kind.MONEY else number)
    if question.kind == Question.Kind.BOOLEAN:
        if raw in (True, "true", "1", "yes", 1):
            return True
        if raw in (False, "false", "0", "no", 0):
            return False
        raise ValueError(_("answer yes or no"))
    text = str(raw).strip()
    if len(text) > 500:
        raise ValueError(_("at most 500 characters"))
    return text


@transaction.atomic
def questionnaire_answer(*, actor, customer: Customer, questionnaire: Questionnaire, answers: dict,
                         answered_on: _dt.date | None = None) -> QuestionnaireResponse:
    """Record a customer's answers (D1) on the active version of a questionnaire; validates each answer
    against its question (ValidationError keyed `answers.<question code>`), refreshes the customer's needs
    columns and re-evaluates the customer's tags (needs tags come from here)."""
    acting = actor_of(actor)
    require(acting, Perm.UPDATE_CUSTOMER)
    if not questionnaire.active:
        raise ValidationError({"questionnaire": _("this version of the questionnaire is no longer in use")})
    questions = {q.code: q for q in questionnaire.questions.all()}
    errors: dict[str, str] = {}
    clean: dict = {}
    for code in set(answers or {}) - set(questions):
        errors[f"answers.{code}"] = _("no such question")
    for code, question in questions.items():
        raw = (answers or {}).get(code)
        if raw is None or raw == "":
            if question.required:
                errors[f"answers.{code}"] = _("this question needs an answer")
            continue
        try:
            clean[code] = _answer_value(question, raw)
        except ValueError as exc:
            errors[f"answers.{code}"] = str(exc)
    if errors:
        raise ValidationError(errors)
    response = QuestionnaireResponse.objects.create(
        customer=customer, questionnaire=questionnaire, answered_by=acting.staff,
        answered_on=answered_on or timezone.localdate(), answers=clean)
    needs = {column: clean.get(code) for code, column in NEEDS_COLUMNS.items()}
    for column in ("purpose", "cashflow_cycle", "collateral", "risk_appetite"):
        needs[column] = needs[column] or ""
    if needs["term_months"] is not None:
        needs["term_months"] = int(Decimal(needs["term_months"]))
    CustomerNeeds.objects.update_or_create(customer=customer, defaults={
        "response": response, "answered_on": response.answered_on, **needs})
    tags_refresh_customers(customer_ids=[customer.pk])
    record_event(actor=acting.user, event_code="customers.questionnaire_answered", obj=response,
                 after={"customer_id": customer.pk, "questionnaire": questionnaire.code,
                        "version": questionnaire.version, "answered": sorted(clean)})
    return response
