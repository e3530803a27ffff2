"""Pages of incentives: my commission statement (lines, dispute, export; the director runs and approves),
the leaderboard with the month's honours, appraisal scores, teamwork peer ratings and the retention view."""

from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from lendpilot.core.errors import Conflict
from lendpilot.core.views import paginate
from lendpilot.incentives import selectors, services
from lendpilot.incentives.appraisal import HARD, SOFT, parse_scheme, weight_shares
from lendpilot.org.access import actor_of
from lendpilot.org.roles import Perm

COMPONENTS = HARD + SOFT


def _month(request) -> date:
    raw = request.GET.get("month") or request.POST.get("month") or ""
    try:
        return date.fromisoformat(raw[:7] + "-01")
    except ValueError:
        return timezone.localdate().replace(day=1)


def _field_label(field: str) -> str:
    labels = {"reason": _("Reason"), "resolution": _("Resolution"), "statement": _("Statement"),
              "plan": _("Commission plan"), "line_id": _("Line"), "ratee_id": _("Team mate"), "score": _("Score"),
              "month": _("Month")}
    return str(labels.get(field, field))


def _errors(request, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            messages.error(request, f"{_field_label(field)}: {' '.join(m for e in errors for m in e.messages)}")
    else:
        messages.error(request, " ".join(exc.messages))


@login_required
def statements(request):
    actor = actor_of(request.user)
    month = _month(request)
    if request.method == "POST":
        try:
            if request.POST.get("action") == "approve_all":
                result = services.statements_approve(actor=request.user, month=month)
                messages.success(request, _("%(n)s statements approved; %(held)s held by an open dispute.") % {
                    "n": result["approved"], "held": result["held_by_dispute"]})
            else:
                result = services.commission_run(actor=request.user, month=month,
                                                 reason=request.POST.get("reason", ""))
                messages.success(request, _("%(n)s statements computed: %(new)s new, %(revised)s recalculated "
                                            "(same link, new version), %(same)s unchanged.") % {
                    "n": result["statements"], "new": result["new"], "revised": result["revised"],
                    "same": result["unchanged"]})
        except ValidationError as exc:
            _errors(request, exc)
        return redirect(f"{reverse('incentives:statements')}?month={month:%Y-%m}")
    page = paginate(request, selectors.statements_visible(actor, month=month))
    return render(request, "incentives/statements.html", {
        "page_obj": page, "month": month, "can_run": actor.can(Perm.RUN_COMMISSION),
        "month_to_date": selectors.my_commission_month_to_date(actor),
        "can_approve": actor.can(Perm.APPROVE_COMMISSION)})


@login_required
def statements_export(request):
    actor = actor_of(request.user)
    month = _month(request)
    data = selectors.statements_xlsx(selectors.statements_visible(actor, month=month))
    response = HttpResponse(data, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = f'attachment; filename="commission-{month:%Y-%m}.xlsx"'
    return response


@login_required
def statement_detail(request, statement_id: int):
    actor = actor_of(request.user)
    st = selectors.statement_get(actor, statement_id)
    if request.method == "POST":
        try:
            action = request.POST.get("action")
            if action == "approve":
                services.statement_approve(actor=request.user, statement=st)
                messages.success(request, _("Statement approved: %(total)s CNY for %(name)s.") % {
                    "total": f"{st.total:,.2f}", "name": st.staff.name})
            elif action == "recalculate":
                before = st.version
                st = services.statement_recalculate(actor=request.user, statement=st,
                                                    reason=request.POST.get("reason", ""))
                if st.version == before:
                    messages.info(request, _("Recalculated: the figures are unchanged, still version %(v)s.") % {
                        "v": st.version})
                else:
                    messages.success(request, _("Recalculated as version %(v)s: %(total)s CNY. Open disputes "
                                                "stay on the statement.") % {"v": st.version,
                                                                            "total": f"{st.total:,.2f}"})
            elif action == "resolve":
                dispute = selectors.dispute_get(actor, int(request.POST.get("dispute", "0") or 0))
                services.dispute_resolve(actor=request.user, dispute=dispute,
                                         resolution=request.POST.get("resolution", ""))
            else:
                line = st.lines.filter(pk=request.POST.get("line") or 0).first()
                services.dispute_open(actor=request.user, statement=st, reason=request.POST.get("reason", ""),
                                      line=line)
                messages.success(request, _("Dispute recorded on version %(v)s; the director resolves it before "
                                            "the statement is approved.") % {"v": st.version})
        except ValidationError as exc:
            _errors(request, exc)
        except Conflict as exc:
            messages.error(request, exc.message)
        return redirect("incentives:statement", st.pk)
    return render(request, "incentives/statement_detail.html", {
        "st": st, "rows": selectors.statement_line_rows(st), "versions": selectors.statement_versions(st),
        "disputes": st.disputes.select_related("raised_by", "line__loan"),
        "can_run": actor.can(Perm.RUN_COMMISSION), "can_approve": actor.can(Perm.APPROVE_COMMISSION),
        "can_resolve": actor.can(Perm.RESOLVE_DISPUTE)})


@login_required
def honours(request):
    actor = actor_of(request.user)
    month = _month(request)
    if request.method == "POST":
        try:
            services.honours_award(actor=request.user, month=month)
        except ValidationError as exc:
            _errors(request, exc)
        return redirect(f"{reverse('incentives:honours')}?month={month:%Y-%m}")
    board = selectors.leaderboard(actor, month=month)
    chart = [{"name": r["name"], "value": str(r["disbursed"])} for r in board[:10]]
    return render(request, "incentives/honours.html", {
        "month": month, "board": board, "honours": selectors.honours_visible(actor, month=month), "chart": chart,
        "scores": [{**row, "cells": [(key, row["components"].get(key)) for key in COMPONENTS]}
                   for row in selectors.appraisal_scores(actor, start=month)[:200]],
        "weights": list(weight_shares(parse_scheme(None)).values()),
        "can_run": actor.can(Perm.RUN_COMMISSION)})


@login_required
def retention(request):
    actor = actor_of(request.user)
    return render(request, "incentives/retention.html", {"rows": selectors.retention(actor)})


@login_required
def peers(request):
    """Rate team mates for the month (1-5, once each) and see the ratings received in scope."""
    actor = actor_of(request.user)
    month = _month(request)
    can_rate = actor.can(Perm.RATE_PEERS)
    if request.method == "POST":
        try:
            ratee = selectors.team_mates(actor).filter(pk=request.POST.get("ratee") or 0).first()
            if ratee is None:
                raise ValidationError({"ratee_id": [_("Choose a member of your team.")]})
            services.peer_rating_submit(actor=request.user, ratee=ratee, month=month,
                                        score=int(request.POST.get("score", "0") or 0),
                                        comment=request.POST.get("comment", ""))
            messages.success(request, _("Thank you: the rating was recorded."))
        except ValidationError as exc:
            _errors(request, exc)
        except Conflict as exc:
            messages.error(request, exc.message)
        except ValueError:
            messages.error(request, _("Choose a score from 1 to 5."))
        return redirect(f"{reverse('incentives:peers')}?month={month:%Y-%m}")
    given = list(selectors.peer_ratings_given(actor, month=month))
    rated = {r.ratee_id for r in given}
    mates = [m for m in selectors.team_mates(actor) if m.pk not in rated] if can_rate else []
    return render(request, "incentives/peers.html", {
        "month": month, "given": given, "mates": mates, "can_rate": can_rate, "scores": range(1, 6),
        "summary": selectors.peer_summary(actor, month=month)[:500]})
