"""Pages of scoring: versions with the maker-checker decision, one version's quality report, points
table and monitoring charts (ECharts), and the pre-screen form (which calls the API)."""

import json
import math

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from lendpilot.core.errors import Conflict
from lendpilot.org.access import actor_of, require
from lendpilot.org.roles import Perm
from lendpilot.products.selectors import products_visible
from lendpilot.scoring import selectors, services
from lendpilot.scoring.labels import bin_label, feature_label
from lendpilot.scoring.monitoring import AUC_DROP_ALERT, PSI_ALERT


@login_required
def overview(request):
    actor = actor_of(request.user)
    versions = selectors.scorecard_versions(actor)
    policies = list(selectors.policy_versions(actor)[:5])
    for policy_version in policies:  # the rules as the JSON document they are, not a Python repr
        policy_version.rules_text = json.dumps(policy_version.rules, ensure_ascii=False, indent=2, sort_keys=True)
    return render(request, "scoring/overview.html", {
        "versions": versions,
        "policies": policies,
        "can_activate": actor.can(Perm.ACTIVATE_SCORECARD),
        "user_id": request.user.pk,
    })


def _points_rows(table: dict) -> list[dict]:
    out = []
    for c in table.get("characteristics", []):
        rows = list(zip((bin_label(label) for label in c["labels"]), c["counts"], c["woe"], c["points"],
                        strict=True))
        if c.get("allow_missing"):
            rows.append((_("Missing"), c.get("missing_count", 0), None, c["missing_points"]))
        out.append({"name": c["name"], "label": feature_label(c["name"]), "rows": rows})
    return out


def _alert_lines(snapshot, reference_auc: float | None) -> list[str]:
    """The month's alerts in the reader's language (the snapshot stores them for the log, in English)."""
    lines = []
    if snapshot.psi is not None and snapshot.psi > PSI_ALERT:
        lines.append(_("PSI %(psi).3f above %(limit)s") % {"psi": snapshot.psi, "limit": PSI_ALERT})
    if snapshot.auc is not None and reference_auc is not None and not math.isnan(snapshot.auc) \
            and reference_auc - snapshot.auc > AUC_DROP_ALERT:
        lines.append(_("AUC %(auc).3f is %(drop).3f below the validated %(reference).3f")
                     % {"auc": snapshot.auc, "drop": reference_auc - snapshot.auc, "reference": reference_auc})
    return lines


@login_required
def version_detail(request, version_id: int):
    actor = actor_of(request.user)
    version = selectors.scorecard_version_get(actor, version_id)
    snapshots = list(selectors.monitoring_series(actor, version))
    for snapshot in snapshots:
        snapshot.alert_lines = _alert_lines(snapshot, version.reference_auc)
    chart = {
        "months": [s.month.strftime("%Y-%m") for s in snapshots],
        "psi": [s.psi for s in snapshots],
        "auc": [s.auc for s in snapshots],
        "ks": [s.ks for s in snapshots],
        "population": [s.population for s in snapshots],
        "reference_auc": version.reference_auc,
        "psi_alert": PSI_ALERT,
        "auc_floor": (version.reference_auc - AUC_DROP_ALERT) if version.reference_auc else None,
        "csi_month": snapshots[-1].month.strftime("%Y-%m") if snapshots else None,
        "csi": {feature_label(name) or name: value for name, value in snapshots[-1].csi.items()} if snapshots else {},
        "reliability": (version.metrics.get("cv") or {}).get("reliability")
        or (version.metrics.get("holdout") or {}).get("reliability", []),
    }
    return render(request, "scoring/version_detail.html", {
        "version": version,
        "characteristics": _points_rows(version.table),
        "cv": (version.metrics.get("cv") or {}).get("mean"),
        "holdout": version.metrics.get("holdout"),
        "snapshots": snapshots,
        "chart_json": json.dumps(chart),
        "can_activate": actor.can(Perm.ACTIVATE_SCORECARD),
    })


@login_required
@require_POST
def version_decide(request, version_id: int):
    actor = actor_of(request.user)
    version = selectors.scorecard_version_get(actor, version_id)
    try:
        if request.POST.get("decision") == "activate":
            services.scorecard_activate(actor=request.user, version=version)
            messages.success(request, _("%(version)s activated") % {"version": version})
        else:
            services.scorecard_reject(actor=request.user, version=version, reason=request.POST.get("reason", ""))
            messages.info(request, _("%(version)s rejected") % {"version": version})
    except (PermissionDenied, Conflict, ValidationError) as exc:
        messages.error(request, getattr(exc, "message", None) or " ".join(getattr(exc, "messages", [str(exc)])))
    return redirect("scoring:version_detail", version_id=version.pk)


@login_required
def prescreen(request):
    actor = actor_of(request.user)
    require(actor, Perm.PRESCREEN)
    return render(request, "scoring/prescreen.html", {"products": products_visible(actor, active_only=True)})
