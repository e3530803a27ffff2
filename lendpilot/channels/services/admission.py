"""Admission: a channel manager files the application with its checklist and due-diligence documents; head
office approves or rejects it (never the one who filed it); only listed partners may submit."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from stdnum.cn import uscc
from stdnum.exceptions import ValidationError as StdnumError

from lendpilot.channels.admission import Criteria, assess
from lendpilot.channels.models import Application, Document, Partner
from lendpilot.channels.selectors import submission_refusal
from lendpilot.compliance.audit import record_event, snapshot
from lendpilot.org.access import actor_of, require
from lendpilot.org.models import Staff
from lendpilot.org.roles import Perm, Role

REQUIRED_DOCUMENTS = {Document.Kind.LICENCE, Document.Kind.SECURITY}
"""Head office approves no application without the licence and the data-security report on file."""


def _partner_errors(name: str, credit_code: str, kind: str, login: Staff | None) -> dict[str, str]:
    errors = {}
    if not name.strip():
        errors["name"] = _("the partner's name is required")
    try:
        uscc.validate(credit_code)
    except StdnumError:
        errors["credit_code"] = _("not a valid unified social credit code")
    if kind not in Partner.Kind.values:
        errors["kind"] = _("unknown partner kind")
    if login is not None and login.role != Role.CHANNEL_PARTNER:
        errors["login"] = _("the login must be a channel-partner login")
    return errors


def _criteria_errors(criteria: Criteria) -> dict[str, str]:
    errors = {}
    if criteria.registered_capital < 0:
        errors["registered_capital"] = _("registered capital cannot be negative")
    if criteria.complaints_per_10k < 0:
        errors["complaints_per_10k"] = _("the complaint rate cannot be negative")
    if criteria.regulatory_penalties < 0:
        errors["regulatory_penalties"] = _("the penalty count cannot be negative")
    return errors


@transaction.atomic
def partner_apply(*, actor: object, name: str, credit_code: str, kind: str, criteria: Criteria,
                  documents: list[tuple[str, str]], login: Staff | None = None,
                  licence_number: str = "") -> Application:
    """File an admission application (a new partner, or a rejected or delisted one applying again)."""
    acting = actor_of(actor)
    require(acting, Perm.MANAGE_CHANNELS)
    credit_code = uscc.compact(credit_code or "")
    errors = {**_partner_errors(name, credit_code, kind, login), **_criteria_errors(criteria)}
    bad = [kind_ for kind_, _ref in documents if kind_ not in Document.Kind.values]
    if bad:
        errors["documents"] = _("unknown document kind: %(kinds)s") % {"kinds": ", ".join(bad)}
    partner = Partner.objects.select_for_update().filter(credit_code=credit_code).first()
    if partner is not None and (partner.is_listed or partner.applications.filter(status="submitted").exists()):
        errors["credit_code"] = _("this partner is already listed or has an application awaiting head office")
    if errors:
        raise ValidationError(errors)
    if acting.staff is None:
        raise PermissionDenied(_("an application is filed by a named member of staff"))
    if partner is None:
        partner = Partner.objects.create(name=name.strip()[:120], credit_code=credit_code, kind=kind, login=login)
    else:
        partner.status = Partner.Status.APPLYING
        partner.save(update_fields=["status"])
    result = assess(criteria)
    application = Application.objects.create(
        partner=partner, licence_held=criteria.licence_held, licence_number=licence_number[:60],
        registered_capital=criteria.registered_capital, regulatory_penalties=criteria.regulatory_penalties,
        complaints_per_10k=criteria.complaints_per_10k, data_security_grade=criteria.data_security_grade,
        score=result.score, gates=result.gates, points=result.points, submitted_by=acting.staff,
        submitted_at=timezone.now())
    Document.objects.bulk_create([Document(application=application, kind=k, reference=ref[:120])
                                  for k, ref in documents])
    record_event(actor=acting.user, event_code="channels.application_submitted", obj=application,
                 after={**snapshot(application, ["partner_id", "score", "gates", "status"]),
                        "documents": sorted(k for k, _ref in documents)})
    return application


def _approval_errors(application: Application) -> list[str]:
    errors = list(application.gates)
    if not application.gates and application.score < 70:
        errors.append(_("the assessment score %(score)d is below the pass mark") % {"score": application.score})
    missing = REQUIRED_DOCUMENTS - set(application.documents.values_list("kind", flat=True))
    if missing:
        errors.append(_("due-diligence documents missing: %(kinds)s") % {
            "kinds": ", ".join(str(Document.Kind(k).label) for k in sorted(missing))})
    return errors


@transaction.atomic
def application_decide(*, actor: object, application_id: int, approve: bool, note: str = "") -> Application:
    """Head office's decision. Approval lists the partner; it needs a passing assessment and the required
    documents, and is never made by whoever filed the application."""
    acting = actor_of(actor)
    require(acting, Perm.APPROVE_CHANNELS)
    application = Application.objects.select_for_update().select_related("partner").filter(
        pk=application_id).first()
    if application is None or application.status != Application.Status.SUBMITTED:
        raise ValidationError({"application": _("no application awaiting head office with this number")})
    if acting.staff is not None and application.submitted_by_id == acting.staff.pk:
        raise PermissionDenied(_("the application must be decided by someone other than who filed it"))
    if approve and (errors := _approval_errors(application)):
        raise ValidationError({"application": errors})
    if not approve and not note.strip():
        raise ValidationError({"note": _("say why the application is rejected")})
    partner = application.partner
    before = snapshot(partner, ["status", "listed_on"])
    application.status = Application.Status.APPROVED if approve else Application.Status.REJECTED
    application.decided_by, application.decided_at = acting.staff, timezone.now()
    application.decision_note = note.strip()[:300]
    application.save(update_fields=["status", "decided_by", "decided_at", "decision_note"])
    partner.status = Partner.Status.ACTIVE if approve else Partner.Status.REJECTED
    partner.listed_on = timezone.localdate() if approve else partner.listed_on
    partner.delisted_on = None if approve else partner.delisted_on
    partner.save(update_fields=["status", "listed_on", "delisted_on"])
    record_event(actor=acting.user, event_code="channels.application_decided", obj=application,
                 before=before, after={**snapshot(partner, ["status", "listed_on"]), "approved": approve})
    return application


def ensure_partner_may_submit(*, staff: Staff | None) -> None:
    """Refuse any submission (portal, API, import) from a partner off the published list."""
    refusal = submission_refusal(staff)
    if refusal:
        raise ValidationError(refusal)
