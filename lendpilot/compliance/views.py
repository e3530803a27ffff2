"""The compliance desk's front page: what waits for the officer in screening, the register and drills."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from lendpilot.compliance.screening import selectors as screening_selectors
from lendpilot.org.access import actor_of, require
from lendpilot.org.roles import Perm


@login_required
def desk(request):
    actor = actor_of(request.user)
    require(actor, Perm.VIEW_COMPLIANCE)
    return render(request, "compliance/desk.html", {
        "hits": screening_selectors.hit_counts(actor),
    })
