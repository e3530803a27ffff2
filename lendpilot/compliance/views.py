"""The compliance desk's front page: what waits for the officer in screening, the register and drills."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils import timezone

from lendpilot.compliance.checkpoints import selectors as checkpoint_selectors
from lendpilot.compliance.checkpoints.models import CheckpointReview
from lendpilot.compliance.drills import selectors as drill_selectors
from lendpilot.compliance.drills.models import LeakDrill
from lendpilot.compliance.register import selectors as register_selectors
from lendpilot.compliance.screening import selectors as screening_selectors
from lendpilot.org.access import actor_of, require
from lendpilot.org.roles import Perm


@login_required
def desk(request):
    actor = actor_of(request.user)
    require(actor, Perm.VIEW_COMPLIANCE)
    return render(request, "compliance/desk.html", {
        "hits": screening_selectors.hit_counts(actor),
        "register": _register_summary(actor),
        "pending_reviews": checkpoint_selectors.reviews(actor, status=CheckpointReview.Status.PENDING).count(),
        "open_alerts": drill_selectors.canary_alerts(actor).count(),
        "outliers": len(drill_selectors.bulk_access_outliers(actor, today=timezone.localdate())),
        "next_drill": drill_selectors.drills(actor).filter(result=LeakDrill.Result.PENDING,
                                                           scheduled_for__gte=timezone.localdate())
        .order_by("scheduled_for").first(),
    })


def _register_summary(actor) -> dict[str, int]:
    today = timezone.localdate()
    rows = register_selectors.register_rows(actor, today=today)
    return {"documents": len(rows), "missed": sum(r.state == "missed" for r in rows),
            "below": sum(r.state == "on_track" for r in rows),
            "overdue_owners": len(register_selectors.overdue_owners(actor, today=today))}
