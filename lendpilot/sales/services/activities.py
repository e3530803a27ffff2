"""Activities: calls, visits, meetings and messages logged on an opportunity with the next step."""

from datetime import date, datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from lendpilot.compliance.audit import record_event, snapshot
from lendpilot.org.access import actor_of
from lendpilot.sales.models import Activity, Opportunity
from lendpilot.sales.services.opportunities import check_worker


@transaction.atomic
def activity_log(*, actor, opportunity: Opportunity, kind: str, outcome: str, notes: str = "",
                 happened_at: datetime | None = None, next_step: str = "", next_step_on: date | None = None
                 ) -> Activity:
    """Log a call, visit, meeting or message; earlier follow-ups of the opportunity count as done."""
    acting = actor_of(actor)
    check_worker(acting, opportunity)
    errors: dict[str, str] = {}
    if kind not in Activity.Kind.values:
        errors["kind"] = _("kind is one of %(choices)s") % {"choices": ", ".join(Activity.Kind.values)}
    if outcome not in Activity.Outcome.values:
        errors["outcome"] = _("outcome is one of %(choices)s") % {"choices": ", ".join(Activity.Outcome.values)}
    when = happened_at or timezone.now()
    if when > timezone.now() + timedelta(minutes=5):
        errors["happened_at"] = _("an activity cannot lie in the future")
    day = timezone.localdate(when) if timezone.is_aware(when) else when.date()
    if next_step_on is not None and next_step_on < day:
        errors["next_step_on"] = _("the next step cannot be due before the activity")
    if errors:
        raise ValidationError(errors)
    Activity.objects.filter(opportunity=opportunity, follow_up_done=False).update(follow_up_done=True)
    act = Activity.objects.create(opportunity=opportunity, owner=acting.staff or opportunity.owner, kind=kind,
                                  outcome=outcome, notes=notes[:1000], happened_at=when, next_step=next_step[:200],
                                  next_step_on=next_step_on, follow_up_done=next_step_on is None)
    record_event(actor=acting.user, event_code="sales.activity_logged", obj=act,
                 after=snapshot(act, ["opportunity_id", "kind", "outcome", "next_step_on"]))
    return act


