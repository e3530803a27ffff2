"""Pages of the organisation: staff and teams, each read through the scoped selectors."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from lendpilot.core.views import flash_errors, paginate
from lendpilot.org.access import actor_of
from lendpilot.org.roles import Role
from lendpilot.org.selectors import login_attempts, login_failures, staff_get, staff_visible, teams_visible
from lendpilot.org.services import login_lockout_clear


def _int_or_none(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() else None


@login_required
def staff_list(request):
    actor = actor_of(request.user)
    role = request.GET.get("role") or None
    if role not in Role.values:
        role = None
    staff = staff_visible(actor, role=role, team_id=_int_or_none(request.GET.get("team")),
                          search=(request.GET.get("q") or "").strip() or None)
    return render(request, "org/staff_list.html", {
        "page_obj": paginate(request, staff),
        "roles": Role.choices,
        "teams": teams_visible(actor),
        "selected_role": role or "",
        "selected_team": _int_or_none(request.GET.get("team")),
        "q": request.GET.get("q", ""),
    })


@login_required
def staff_detail(request, staff_id: int):
    actor = actor_of(request.user)
    member = staff_get(actor, staff_id)
    # Direct reports are shown only as far as the viewer's own scope reaches.
    reports = staff_visible(actor).filter(reports_to=member)
    return render(request, "org/staff_detail.html", {"member": member, "reports": reports})


@login_required
def team_list(request):
    actor = actor_of(request.user)
    return render(request, "org/team_list.html", {"teams": teams_visible(actor)})


@login_required
def lockouts(request):
    """Sign-in failures and lockouts (compliance): who or which address is locked, and the recent failures."""
    actor = actor_of(request.user)
    return render(request, "org/lockouts.html", {
        "attempts": login_attempts(actor),
        "failures": login_failures(actor),
        "failure_limit": settings.AXES_FAILURE_LIMIT,
        "cooloff_minutes": int(settings.AXES_COOLOFF_TIME.total_seconds() // 60),
    })


@login_required
@require_POST
def lockout_clear(request):
    try:
        cleared = login_lockout_clear(actor=request.user, username=request.POST.get("username", ""),
                                      ip_address=request.POST.get("ip_address", ""))
    except ValidationError as exc:
        flash_errors(request, exc, name_fields=False)
    else:
        messages.success(request, _("Unlocked (%(count)s attempt records cleared).") % {"count": cleared})
    return redirect("org:lockouts")
