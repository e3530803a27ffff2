"""Demo step: two years of LPR, macro and regional indicators, high-potential industries, five competitors
with their moves, the bank's offers of the last two months (take-up falling where a rival undercut), the
elasticity index and the proposals it raises, market feedback with a change request, and two pilots: one
finished and decided, one running."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING

from lendpilot.core.months import shift_month
from lendpilot.market import services
from lendpilot.market.models import OfferOutcome, PilotStatus
from lendpilot.org.models import Region, Staff, Team
from lendpilot.org.roles import Role
from lendpilot.products.models import Product

if TYPE_CHECKING:
    from lendpilot.core.seeding import SeedContext

COMPETITORS = (("招商银行", "股份制银行", Decimal("-0.0030"), Decimal("2")),
               ("微众银行", "互联网银行", Decimal("-0.0010"), Decimal("0.5")),
               ("宁波银行", "城商行", Decimal("0.0000"), Decimal("3")),
               ("平安普惠", "消费金融", Decimal("0.0350"), Decimal("1")),
               ("本地农商行", "农商行", Decimal("0.0020"), Decimal("5")))


def _lpr(ctx: SeedContext) -> int:
    first = shift_month(ctx.today.replace(day=1), -24)
    one_year = Decimal("0.0345")
    count = 0
    for i in range(25):
        day = shift_month(first, i).replace(day=20)
        if day > ctx.today:
            break
        if i % 6 == 5:  # a cut every half year, as the market has seen
            one_year -= Decimal("0.0010")
        for tenor, rate in (("1Y", one_year), ("5Y", one_year + Decimal("0.0050"))):
            services.lpr_record(actor=None, effective=day, tenor=tenor, rate=rate,
                                source="全国银行间同业拆借中心 (NIFC)")
            count += 2
    return count


def _market(ctx: SeedContext, regions: list[Region]) -> None:
    quarter = date(ctx.today.year, ((ctx.today.month - 1) // 3) * 3 + 1, 1) - timedelta(days=1)
    services.indicator_record(actor=None, code="GDP", name="GDP 同比增速", region="", as_of=quarter,
                              value=Decimal("5.0"), unit="%", source="国家统计局")
    services.indicator_record(actor=None, code="PMI", name="制造业 PMI", region="", as_of=ctx.today.replace(day=1),
                              value=Decimal("50.2"), unit="", source="国家统计局", max_age_days=40)
    for n, region in enumerate(regions):
        services.indicator_record(actor=None, code="LOAN_GROWTH", name="贷款余额同比", region=region.code,
                                  as_of=quarter - timedelta(days=92 * (n % 2)), value=Decimal("8.5") - n,
                                  unit="%", source="人民银行分支机构")
    for name, growth, need in (("新能源汽车零部件", "0.18", "设备更新与流动资金, 单户 300-800 万"),
                               ("跨境电商", "0.22", "备货周转, 回款周期 45-60 天"),
                               ("冷链物流", "0.12", "冷库与车辆融资租赁")):
        services.industry_save(actor=None, name=name, region="", growth=Decimal(growth), financing_need=need,
                               source="行业研究部", as_of=ctx.today - timedelta(days=30))


def _competitors(ctx: SeedContext, regions: list[Region], categories: list[str], user) -> int:
    moves = 0
    for name, kind, offset, days in COMPETITORS:
        rival = services.competitor_save(actor=None, name=name, kind=kind, profile=f"{kind}, 重点客群与我行重叠",
                                         report="季度竞品报告: 审批提速, 线上化率提升", source="分行走访",
                                         as_of=ctx.today - timedelta(days=20))
        for region in regions:
            for category in categories:
                for back, cut in ((120, Decimal(0)), (25, Decimal("0.0025") if name == "招商银行" else Decimal(0))):
                    services.competitor_move_record(
                        actor=user, competitor=rival, kind="rate", product=category, region=region.code,
                        effective=ctx.today - timedelta(days=back), apr=Decimal("0.0400") + offset - cut,
                        approval_days=days, documents="身份证, 营业执照, 流水", source="客户经理采集")
                    moves += 1
    return moves


def _offers(ctx: SeedContext, regions: list[Region], categories: list[str]) -> int:
    rng = ctx.sub_rng("market-offers")
    rows = []
    for region in regions:
        for category in categories:
            for i in range(300):
                day = ctx.today - timedelta(days=i % 60)
                recent = i % 60 < 30
                rate = Decimal("0.0450") + Decimal(rng.randint(-60, 60)) / 10_000
                competitor = Decimal("0.0385") if recent else Decimal("0.0410")
                chance = 0.55 - 30 * float(rate - Decimal("0.0450")) - 12 * float(rate - competitor)
                rows.append(OfferOutcome(product=category, region=region, channel=rng.choice(("branch", "online",
                                                                                             "partner")),
                                         risk_grade=rng.choice("ABCD"), amount=Decimal(rng.randint(5, 80) * 10_000),
                                         rate=rate, competitor_rate=competitor, accepted=rng.random() < chance,
                                         offered_on=day))
    OfferOutcome.objects.bulk_create(rows, batch_size=2000)
    return len(rows)


def _pilots(ctx: SeedContext, director) -> int:
    rng = ctx.sub_rng("market-pilots")
    teams = list(Team.objects.select_related("branch__region").order_by("code")[:16])
    if len(teams) < 4:
        return 0
    clusters = {t.code: t.branch.region.code for t in teams}
    done = services.pilot_plan(actor=None, name="预填申请表", change="客户经理用预填表单, 减少补件",
                               metric="申请转化率", baseline_rate=Decimal("0.10"), target_rate=Decimal("0.12"),
                               icc=Decimal("0.01"), starts=ctx.today - timedelta(days=120),
                               ends=ctx.today - timedelta(days=30), clusters=clusters, seed=ctx.seed,
                               pre_starts=ctx.today - timedelta(days=180), cases_per_cluster=200)
    services.pilot_start(actor=None, pilot_id=done.pk)
    results = {}
    for c in done.clusters.all():
        pre = Decimal("0.10") + Decimal(rng.randint(-15, 15)) / 1000
        lift = Decimal("0.025") if c.treated else Decimal("0")
        results[c.code] = (rng.randint(150, 260), pre, pre + lift + Decimal(rng.randint(-5, 5)) / 1000)
    services.pilot_results_record(actor=None, pilot_id=done.pk, results=results)
    services.pilot_decide(actor=director, pilot_id=done.pk, decision="roll_out")
    running = services.pilot_plan(actor=None, name="审批前置预审", change="二级审批前增加预审岗",
                                  metric="审批通过时效达标率",
                                  baseline_rate=Decimal("0.70"), target_rate=Decimal("0.78"), icc=Decimal("0.02"),
                                  starts=ctx.today - timedelta(days=14), ends=ctx.today + timedelta(days=60),
                                  clusters=clusters, seed=ctx.seed + 1, pre_starts=ctx.today - timedelta(days=56),
                                  cases_per_cluster=300)
    services.pilot_start(actor=None, pilot_id=running.pk)
    services.pilot_results_record(actor=None, pilot_id=running.pk, results={
        c.code: (rng.randint(40, 90), Decimal("0.70") + Decimal(rng.randint(-30, 30)) / 1000, None)
        for c in running.clusters.all()})
    return 2 if running.status == PilotStatus.RUNNING else 1


def seed(ctx: SeedContext) -> dict[str, int]:
    regions = list(Region.objects.order_by("code")[:4])
    categories = sorted(set(Product.objects.filter(is_active=True).values_list("category", flat=True)))[:3]
    director = Staff.objects.filter(role=Role.DIRECTOR, is_active=True).select_related("user").first()
    head = Staff.objects.filter(role=Role.REGIONAL_HEAD, is_active=True).select_related("user").first()
    manager = Staff.objects.filter(role=Role.ACCOUNT_MANAGER, is_active=True).select_related("user").first()
    if not (regions and categories and director and head and manager):
        return {}
    lpr = _lpr(ctx)
    _market(ctx, regions)
    moves = _competitors(ctx, regions, categories, head.user)
    offers = _offers(ctx, regions, categories)
    services.elasticity_estimate(actor=None)
    proposals = services.pricing_check(actor=head.user, today=ctx.today)
    evidence = [services.feedback_record(actor=manager.user, source=source, product=categories[0], reason=reason,
                                         day=ctx.today - timedelta(days=d), region=regions[0].code).pk
                for source, reason, d in (("lost_deal", "利率高于同业", 3), ("manager", "希望先息后本", 5),
                                          ("complaint", "审批太慢", 8), ("lost_deal", "利率高于同业", 9))]
    services.change_request_save(actor=None, product=categories[0], title="按风险等级差异化定价",
                                 owner_id=head.user.pk, evidence_ids=evidence[::3])
    services.change_request_save(actor=None, product=categories[0], title="增加先息后本还款方式",
                                 owner_id=director.user.pk, evidence_ids=evidence[1:2], status="in_progress")
    pilots = _pilots(ctx, director.user)
    return {"lpr_fixings": lpr, "competitor_moves": moves, "offers": offers, "pricing_proposals": len(proposals),
            "pilots": pilots}
