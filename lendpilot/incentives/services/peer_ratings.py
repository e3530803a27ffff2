"""Teamwork peer ratings (A7): one rating per team mate and month, singly or loaded in bulk."""

from datetime import date

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from lendpilot.compliance.audit import record_batch_event, record_event
from lendpilot.core.errors import Conflict
from lendpilot.core.months import month_start
from lendpilot.incentives.models import PeerRating
from lendpilot.org.access import actor_of, require
from lendpilot.org.models import Staff
from lendpilot.org.roles import Perm


def _invalid(field: str, message: str) -> ValidationError:
    return ValidationError({field: [message]})


def _rating_month(month: date) -> date:
    month = month_start(month)
    if month > month_start(timezone.localdate()):
        raise _invalid("month", "a month that has not begun cannot be rated")
    return month


@transaction.atomic
def peer_rating_submit(*, actor, ratee: Staff, month: date, score: int, comment: str = "") -> PeerRating:
    """A team member rates another for the month (A7 teamwork): a score of 1 to 5, never oneself, only
    within one's own team, once per person rated and month (a second rating is a conflict), and not for a
    month that has not begun."""
    who = actor_of(actor)
    require(who, Perm.RATE_PEERS)
    rater = who.staff
    if rater is None or rater.team_id is None:
        raise _invalid("ratee_id", "only a member of a team rates team mates")
    if isinstance(score, bool) or not isinstance(score, int) or not 1 <= score <= 5:
        raise _invalid("score", "a whole score from 1 to 5")
    if ratee.pk == rater.pk:
        raise _invalid("ratee_id", "nobody rates themselves")
    if ratee.team_id != rater.team_id or not ratee.is_active:
        raise _invalid("ratee_id", "only an active member of your own team")
    month = _rating_month(month)
    comment = (comment or "").strip()[:300]
    try:
        with transaction.atomic():
            rating = PeerRating.objects.create(rater=rater, ratee=ratee, month=month, score=score, comment=comment)
    except IntegrityError as exc:
        raise Conflict(_("you have already rated this person for the month"), field="ratee_id") from exc
    record_event(actor=who.user, event_code="incentives.peer_rated", obj=rating,
                 after={"ratee": ratee.pk, "month": month, "score": score})
    return rating


@transaction.atomic
def peer_ratings_load(*, actor, month: date, ratings: list[tuple[int, int, int]]) -> int:
    """Load a month's ratings in bulk, (rater id, ratee id, score) each, by the same rules as
    `peer_rating_submit` (checked for the whole batch before anything is written; one bad row rejects the
    batch). Ratings already given for the month are kept, not replaced. One audit record for the batch."""
    who = actor_of(actor)
    require(who, Perm.RUN_COMMISSION)
    month = _rating_month(month)
    people = {r.pk: r for r in Staff.objects.filter(pk__in={x for row in ratings for x in row[:2]}).only(
        "pk", "team_id", "is_active")}
    seen = set()
    for n, (rater_id, ratee_id, score) in enumerate(ratings):
        rater, ratee = people.get(rater_id), people.get(ratee_id)
        if isinstance(score, bool) or not isinstance(score, int) or not 1 <= score <= 5:
            raise _invalid("ratings", f"row {n}: a whole score from 1 to 5")
        if rater is None or ratee is None or rater_id == ratee_id or rater.team_id is None \
                or rater.team_id != ratee.team_id or not ratee.is_active:
            raise _invalid("ratings", f"row {n}: only an active team mate, never oneself")
        if (rater_id, ratee_id) in seen:
            raise _invalid("ratings", f"row {n}: one rating per person rated and month")
        seen.add((rater_id, ratee_id))
    given = set(PeerRating.objects.filter(month=month).values_list("rater_id", "ratee_id"))
    rows = [PeerRating(rater_id=a, ratee_id=b, month=month, score=s) for a, b, s in ratings if (a, b) not in given]
    PeerRating.objects.bulk_create(rows, batch_size=5000)
    record_batch_event(actor=who.user, event_code="incentives.peer_ratings_loaded", summary={
        "batch_id": f"peer_ratings:{month.isoformat()}", "month": month, "ratings": len(rows),
        "kept": len(ratings) - len(rows)})
    return len(rows)
