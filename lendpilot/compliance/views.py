"""The compliance desk's front page: what waits for the officer in screening, the register and drills."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils import timezone

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
    })


def _register_summary(actor) -> dict[str, int]:
    today = timezone.localdate()
    rows = register_selectors.register_rows(actor, today=today)
    return {"documents": len(rows), "missed": sum(r.state == "missed" for r in rows),
            "below": sum(r.state == "on_track" for r in rows),
            "overdue_owners": len(register_selectors.overdue_owners(actor, today=today))}
