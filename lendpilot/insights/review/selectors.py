"""Reads of the review cycle, scoped to the acting user: action items, the funnel flows and the
conversion cells (FEATURES B9, B10, B11, F2, F4). Aggregation happens in the database."""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Case, CharField, Count, F, IntegerField, Q, QuerySet, Value, When
from django.db.models.functions import Cast, Coalesce
from django.http import Http404
from django.utils.translation import gettext

from lendpilot.core.models import ActionItem, ActionItemMember
from lendpilot.insights.conversion import DIMENSIONS as CONVERSION_DIMENSIONS
from lendpilot.insights.conversion import ConversionAnalysis, Segment, analyse
from lendpilot.insights.diagnostics import FunnelDiagnosis, Period, as_fraction, diagnose
from lendpilot.org.access import actor_of, require, scope_filter, staff_in_scope
from lendpilot.org.models import Region, Staff, Team
from lendpilot.org.roles import DataScope, Perm, Role
from lendpilot.products.models import Product
from lendpilot.sales.models import Lead, Opportunity, Tier, Transition


def action_items_visible(user) -> QuerySet[ActionItem]:
    """Items the user may see: those whose owner lies in the user's data scope, plus those the user owns,
    opened or sits on the squad of (squads cross teams: a risk officer sees the items they work on)."""
    acting = actor_of(user)
    require(acting, Perm.VIEW_REVIEW)
    base = ActionItem.objects.all()
    in_scope = scope_filter(acting, base, owner="owner__staff")
    if acting.user is None:
        return in_scope
    mine = Q(owner_id=acting.user.pk) | Q(created_by_id=acting.user.pk) | Q(
        pk__in=ActionItemMember.objects.filter(user_id=acting.user.pk).values("item_id"))
    return base.filter(Q(pk__in=in_scope.values("pk")) | mine)


def action_items_for(user, *, status: str | None = None, source_kind: str | None = None,
                     overdue_only: bool = False, now=None) -> QuerySet[ActionItem]:
    qs = action_items_visible(user).select_related("owner__staff", "escalated_to__staff", "created_by")
    if status:
        qs = qs.filter(status=status)
    if source_kind:
        qs = qs.filter(source_kind=source_kind)
    if overdue_only:
        from django.utils import timezone

        qs = qs.filter(status__in=["open", "in_progress"], due_at__lt=now or timezone.now())
    return qs.order_by("due_at", "pk")


# --- slices -------------------------------------------------------------------------------------------------

DIMENSIONS = ("bank", "region", "team", "manager", "product", "channel", "tier")


@dataclass(frozen=True)
class Slice:
    """A cut of the book: the whole bank, one region / team / manager (by id), product (by id), channel (the
    lead's source; opportunities without a lead count as direct) or customer tier."""

    dimension: str = "bank"
    key: str = ""
    label: str = ""

    def ref(self) -> str:
        return f"{self.dimension}:{self.key}" if self.key else self.dimension

    def opportunity_filter(self, prefix: str = "") -> Q:
        p = prefix
        if self.dimension == "bank":
            return Q()
        if self.dimension == "region":
            return Q(**{f"{p}owner__region_id": int(self.key)})
        if self.dimension == "team":
            return Q(**{f"{p}owner__team_id": int(self.key)})
        if self.dimension == "manager":
            return Q(**{f"{p}owner_id": int(self.key)})
        if self.dimension == "product":
            return Q(**{f"{p}product_id": int(self.key)})
        if self.dimension == "tier":
            return Q(**{f"{p}tier": self.key})
        if self.key == Lead.Source.DIRECT:
            return Q(**{f"{p}lead__source": self.key}) | Q(**{f"{p}lead__isnull": True})
        return Q(**{f"{p}lead__source": self.key})


def home_slice(user) -> Slice:
    """The slice a user reviews by default: the bank, their region, their team, or themselves."""
    acting = actor_of(user)
    staff = acting.staff
    if acting.scope == DataScope.REGION and staff and staff.region_id:
        return resolve_slice(user, "region", str(staff.region_id))
    if acting.scope == DataScope.TEAM and staff and staff.team_id:
        return resolve_slice(user, "team", str(staff.team_id))
    if acting.scope == DataScope.OWN and staff:
        return resolve_slice(user, "manager", str(staff.pk))
    return Slice("bank", "", gettext("Whole bank"))


def resolve_slice(user, dimension: str | None, key: str | None) -> Slice:
    """Check a requested slice: 422 naming `dimension` or `key` for a malformed one; 404 for a region,
    team or manager that does not exist or lies outside the user's data scope (the same answer). Product,
    channel and tier slices are always allowed and are narrowed to the user's scope by the queries."""
    acting = actor_of(user)
    require(acting, Perm.VIEW_REVIEW)
    dimension = (dimension or "").strip() or None
    key = (key or "").strip()
    if dimension is None:
        return home_slice(user) if not key else _bad("dimension", gettext("a key needs a dimension"))
    if dimension not in DIMENSIONS:
        _bad("dimension", gettext("unknown dimension %(d)s; one of %(all)s") % {"d": dimension,
                                                                                "all": ", ".join(DIMENSIONS)})
    if dimension == "bank":
        return Slice("bank", "", gettext("Whole bank"))
    if not key:
        _bad("key", gettext("the dimension %(d)s needs a key") % {"d": dimension})
    if dimension in ("region", "team", "manager", "product") and not key.isdigit():
        _bad("key", gettext("the key of %(d)s is a number") % {"d": dimension})
    if dimension == "channel":
        if key not in Lead.Source.values:
            _bad("key", gettext("unknown channel %(k)s") % {"k": key})
        return Slice(dimension, key, str(Lead.Source(key).label))
    if dimension == "tier":
        if key not in Tier.values:
            _bad("key", gettext("unknown tier %(k)s") % {"k": key})
        return Slice(dimension, key, str(Tier(key).label))
    if dimension == "product":
        product = Product.objects.filter(pk=int(key)).first()
        if product is None:
            _bad("key", gettext("no product %(k)s") % {"k": key})
        return Slice(dimension, key, str(product))
    model = {"region": Region, "team": Team, "manager": Staff}[dimension]
    obj = model.objects.filter(pk=int(key)).first()
    # Outside the scope answers as absent (404), so that no answer tells which staff or teams exist.
    if obj is None or not _org_slice_in_scope(acting, dimension, obj):
        raise Http404(gettext("no %(d)s %(k)s") % {"d": dimension, "k": key})
    return Slice(dimension, key, obj.name)


def _bad(field: str, reason: str):
    raise ValidationError({field: reason})


def _org_slice_in_scope(acting, dimension: str, obj) -> bool:
    if acting.scope == DataScope.ALL:
        return True
    staff = acting.staff
    if staff is None:
        return False
    if dimension == "manager":
        return staff_in_scope(acting, obj)
    if dimension == "team":
        return (acting.scope == DataScope.REGION and obj.region_id == staff.region_id) or (
            acting.scope == DataScope.TEAM and obj.pk == staff.team_id)
    return acting.scope == DataScope.REGION and obj.pk == staff.region_id


def slice_owner_user_id(the_slice: Slice, user) -> int | None:
    """Who answers for a slice's funnel: the team lead, the regional head or the manager; else the user."""
    if the_slice.dimension == "team":
        lead = Staff.objects.filter(team_id=int(the_slice.key), role=Role.TEAM_LEAD, is_active=True).first()
        if lead:
            return lead.user_id
    if the_slice.dimension == "region":
        head = Staff.objects.filter(region_id=int(the_slice.key), role=Role.REGIONAL_HEAD, is_active=True).first()
        if head:
            return head.user_id
    if the_slice.dimension == "manager":
        return Staff.objects.filter(pk=int(the_slice.key)).values_list("user_id", flat=True).first()
    acting = actor_of(user)
    if acting.user is not None:
        return acting.user.pk
    return Staff.objects.filter(role=Role.DIRECTOR, is_active=True).values_list("user_id", flat=True).first()


# --- funnel flows -------------------------------------------------------------------------------------------

def day_start(day: date) -> datetime:
    return datetime.combine(day, time(), tzinfo=ZoneInfo(settings.TIME_ZONE))


def funnel_flows(user, the_slice: Slice, periods: list[Period]) -> list[dict[tuple[str, str], int]]:
    """For each period, {(from_node, to_node): distinct opportunities that made that move in the period},
    over the slice within the user's scope; one grouped query for all periods."""
    acting = actor_of(user)
    require(acting, Perm.VIEW_REVIEW)
    if not periods:
        return []
    bounds = [(day_start(p.start), day_start(p.end + timedelta(days=1))) for p in periods]
    qs = Transition.objects.filter(at__gte=min(b[0] for b in bounds), at__lt=max(b[1] for b in bounds))
    qs = scope_filter(acting, qs.filter(the_slice.opportunity_filter("opportunity__")), owner="opportunity__owner")
    bucket = Case(*[When(at__gte=lo, at__lt=hi, then=Value(i)) for i, (lo, hi) in enumerate(bounds)],
                  default=Value(-1), output_field=IntegerField())
    rows = (qs.annotate(bucket=bucket).values("bucket", "from_node", "to_node")
            .annotate(n=Count("opportunity_id", distinct=True)).order_by())
    out: list[dict[tuple[str, str], int]] = [{} for _p in periods]
    for row in rows:
        if row["bucket"] >= 0:
            out[row["bucket"]][(row["from_node"], row["to_node"])] = row["n"]
    return out


def funnel_source_ref(the_slice: Slice, stage: str, period: Period) -> str:
    return f"funnel:{the_slice.ref()}:{stage}:{period.key()}"


def funnel_diagnosis(user, the_slice: Slice, period: Period, *, baseline_periods: int | None = None,
                     threshold=None, min_volume: int | None = None) -> FunnelDiagnosis:
    """The funnel of a slice and period judged against its previous `baseline_periods` periods (B10, F4),
    with the action item already opened for each flagged node, if any. Defaults from settings."""
    n = settings.LENDPILOT_FUNNEL_BASELINE_PERIODS if baseline_periods is None else baseline_periods
    if not isinstance(n, int) or not 1 <= n <= 24:
        raise ValidationError({"baseline_periods": gettext("the baseline is 1 to 24 previous periods")})
    limit = settings.LENDPILOT_FUNNEL_LOSS_THRESHOLD if threshold is None else threshold
    try:
        limit = as_fraction(limit)
    except (ValueError, ArithmeticError) as exc:
        raise ValidationError({"threshold": gettext("the threshold is a fraction such as 0.15")}) from exc
    if not 0 <= limit < 1:
        raise ValidationError({"threshold": gettext("the threshold is a fraction between 0 and 1")})
    volume = settings.LENDPILOT_FUNNEL_MIN_VOLUME if min_volume is None else min_volume
    if not isinstance(volume, int) or volume < 0:
        raise ValidationError({"min_volume": gettext("the minimum volume is a whole number, 0 or more")})
    previous = [period.previous(k) for k in range(1, n + 1)]
    flows = funnel_flows(user, the_slice, [period, *previous])
    created = sum(v for (src, _dst), v in flows[0].items() if src == "")
    result = diagnose(period=period, current=flows[0], baselines=list(zip(previous, flows[1:], strict=True)),
                      threshold=limit, min_volume=volume, created=created)
    refs = {funnel_source_ref(the_slice, node.stage, period): node for node in result.nodes}
    for ref, pk in ActionItem.objects.filter(source_kind=ActionItem.SourceKind.DIAGNOSTIC,
                                             source_ref__in=list(refs)).values_list("source_ref", "pk"):
        refs[ref].action_item_id = pk
    return result


# --- conversion cells ---------------------------------------------------------------------------------------

def parse_dimensions(value) -> tuple[str, ...]:
    """"channel,product,tier" (or a list) as a tuple in that order; 422 naming `by` for anything else."""
    items = value.split(",") if isinstance(value, str) else list(value or [])
    dims = tuple(d.strip() for d in items if d and d.strip())
    if not dims:
        return CONVERSION_DIMENSIONS
    unknown = [d for d in dims if d not in CONVERSION_DIMENSIONS]
    if unknown or len(set(dims)) != len(dims):
        raise ValidationError({"by": gettext("split by one or more of %(all)s, each once") % {
            "all": ", ".join(CONVERSION_DIMENSIONS)}})
    return tuple(d for d in CONVERSION_DIMENSIONS if d in dims)


def conversion_cells(user, the_slice: Slice, period: Period, dimensions: tuple[str, ...]) -> list[Segment]:
    """Opportunities opened in the period and how many of them were won, grouped by the chosen dimensions,
    over the slice within the user's scope: one GROUP BY query."""
    acting = actor_of(user)
    require(acting, Perm.VIEW_REVIEW)
    qs = Opportunity.objects.filter(created_at__gte=day_start(period.start),
                                    created_at__lt=day_start(period.end + timedelta(days=1)))
    qs = scope_filter(acting, qs.filter(the_slice.opportunity_filter()), owner="owner")
    columns = {"channel": Coalesce("lead__source", Value(Lead.Source.DIRECT), output_field=CharField()),
               "product": Coalesce(Cast("product_id", CharField()), Value(""), output_field=CharField()),
               "tier": F("tier")}
    rows = (qs.annotate(**{f"seg_{d}": columns[d] for d in dimensions})
            .values(*[f"seg_{d}" for d in dimensions])
            .annotate(opened=Count("pk"), won=Count("pk", filter=Q(node="won"))).order_by())
    rows = list(rows)
    product_ids = {int(r["seg_product"]) for r in rows if r.get("seg_product")}
    products = {str(pk): str(p) for pk, p in Product.objects.in_bulk(product_ids).items()} if product_ids else {}
    sources, tiers = dict(Lead.Source.choices), dict(Tier.choices)

    def label(dim: str, value: str) -> str:
        if dim == "channel":
            return str(sources.get(value, value))
        if dim == "tier":
            return str(tiers.get(value, value))
        return products.get(value, gettext("No product"))

    return [Segment(key=tuple(str(r[f"seg_{d}"]) for d in dimensions),
                    labels=tuple(label(d, str(r[f"seg_{d}"])) for d in dimensions),
                    opened=r["opened"], won=r["won"]) for r in rows]


def conversion_analysis(user, the_slice: Slice, period: Period, *, by=None, min_volume: int | None = None,
                        confidence: float | None = None, top: int = 5) -> ConversionAnalysis:
    """F2 for a slice and period: every segment with its Wilson interval, the best and worst ranked ones."""
    dims = parse_dimensions(by)
    volume = settings.LENDPILOT_CONVERSION_MIN_VOLUME if min_volume is None else min_volume
    if not isinstance(volume, int) or volume < 1:
        raise ValidationError({"min_volume": gettext("the minimum volume is a whole number, 1 or more")})
    level = settings.LENDPILOT_CONVERSION_CONFIDENCE if confidence is None else confidence
    if not 0.5 <= level < 1:
        raise ValidationError({"confidence": gettext("the confidence level lies between 0.5 and 1")})
    if not 1 <= top <= 50:
        raise ValidationError({"top": gettext("top is 1 to 50")})
    return analyse(conversion_cells(user, the_slice, period, dims), dimensions=dims, min_volume=volume,
                   confidence=level, top=top)


# --- the biweekly review ------------------------------------------------------------------------------------

def engine_period_code(period: Period) -> str:
    """The metric engine's code for a period: a month, a biweek (14 days from a Monday) or a custom range."""
    if period.is_calendar_month:
        return f"month:{period.start:%Y-%m}"
    if period.days == 14 and period.start.weekday() == 0:
        return f"biweek:{period.start.isoformat()}"
    return f"custom:{period.start.isoformat()}..{period.end.isoformat()}"


def review_metrics(user, the_slice: Slice, period: Period, *, today: date | None = None) -> tuple[list[dict], str]:
    """The 12 core metrics with MoM and YoY from the command centre's engine (`lendpilot.insights.metrics`),
    as plain dicts, and a note when they cannot be shown (the reason, never a silent zero)."""
    try:
        from lendpilot.insights.metrics import metric_values
    except ImportError:  # the engine is not installed in this build
        return [], gettext("the metric engine is not available")
    slice_code = "all:all" if the_slice.dimension == "bank" else f"{the_slice.dimension}:{the_slice.key}"
    try:
        values = metric_values(actor=user, period=engine_period_code(period), slice=slice_code, today=today)
    except PermissionDenied:
        return [], gettext("metrics not shown: the command centre's figures are not open to your role")
    except Http404:
        return [], gettext("metrics not shown: the slice does not exist")
    except ValidationError as exc:
        return [], gettext("metrics not shown: %(reason)s") % {"reason": " ".join(exc.messages)}
    return [{"code": v.code, "number": v.number, "name": v.name, "unit": v.unit, "value": v.value,
             "previous": v.previous, "last_year": v.last_year, "mom": v.mom, "yoy": v.yoy,
             "available": v.available, "reason": v.reason, "good_direction": v.good_direction,
             "mom_direction": v.mom_direction, "yoy_direction": v.yoy_direction} for v in values], ""


def review_report(user, the_slice: Slice, period: Period, *, today: date | None = None) -> dict:
    """Everything the biweekly review shows (B9) for a scope and period: the metrics with deviations, the
    funnel diagnosis, the best and worst segments, and the action items of the scope that are open now or
    were closed within the period."""
    metrics, note = review_metrics(user, the_slice, period, today=today)
    diagnosis = funnel_diagnosis(user, the_slice, period)
    analysis = conversion_analysis(user, the_slice, period)
    items = action_items_for(user).filter(_items_of_slice(the_slice))
    open_items = list(items.filter(status__in=["open", "in_progress"]))
    closed_items = list(items.filter(status__in=["done", "cancelled"], closed_at__gte=day_start(period.start),
                                     closed_at__lt=day_start(period.end + timedelta(days=1))).order_by("closed_at"))
    return {"slice": the_slice, "period": period, "metrics": metrics, "metrics_note": note, "funnel": diagnosis,
            "conversion": analysis, "open_items": open_items, "closed_items": closed_items}


def _items_of_slice(the_slice: Slice) -> Q:
    """Action items that belong to a scope: owned inside it, or opened by its funnel diagnostics."""
    if the_slice.dimension == "region":
        return Q(owner__staff__region_id=int(the_slice.key)) | Q(source_ref__startswith=f"funnel:{the_slice.ref()}:")
    if the_slice.dimension == "team":
        return Q(owner__staff__team_id=int(the_slice.key)) | Q(source_ref__startswith=f"funnel:{the_slice.ref()}:")
    if the_slice.dimension == "manager":
        return Q(owner__staff__pk=int(the_slice.key)) | Q(source_ref__startswith=f"funnel:{the_slice.ref()}:")
    if the_slice.dimension == "bank":
        return Q()
    return Q(source_ref__startswith=f"funnel:{the_slice.ref()}:")
