"""Pages of the organisation: staff and teams, each read through the scoped selectors."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from lendpilot.core.views import paginate
from lendpilot.org.access import actor_of
from lendpilot.org.roles import Role
from lendpilot.org.selectors import staff_get, staff_visible, teams_visible


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
