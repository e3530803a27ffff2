"""Demo bank, step 1: the sales organisation.

Seven regions, branches in real cities, direct (直销) and channel (渠道) teams, and the people:
a director, a head per region, a lead per team, account managers with a skills matrix, risk
officers at three approval levels, compliance, operations and channel partners.

Regions, branches and teams go through the org services (a few dozen rows, each audited).
People are bulk inserted: the demo password is hashed once and every login shares that hash
(hashing per user costs ~0.3 s each); the runner writes one batch audit event for the step.
"""

from __future__ import annotations

import random
import string
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from typing import TYPE_CHECKING

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db import transaction

from lendpilot.core.reference import Industry, ProductCategory
from lendpilot.org.models import IndustryExpertise, ProductFamiliarity, SkillProfile, Staff, Team
from lendpilot.org.roles import Role
from lendpilot.org.services import branch_create, region_create, team_create

if TYPE_CHECKING:
    from lendpilot.core.seeding import SeedContext


@dataclass(frozen=True)
class City:
    code: str
    zh: str
    en: str
    province: str  # "" for the municipalities directly under the central government
    districts: tuple[str, ...]

    @property
    def address_prefix(self) -> str:
        return f"{self.province}{self.zh}市"


def _city(code: str, zh: str, en: str, province: str, districts: str) -> City:
    return City(code, zh, en, province, tuple(districts.split()))


@dataclass(frozen=True)
class RegionSpec:
    code: str
    slug: str  # the regional head's login is "<slug>_head"
    zh: str
    en: str
    weight: float  # share of teams (and so of managers and customers)
    cities: tuple[City, ...]
    # Industries over-represented in the region's book (multiplier on the national weights).
    industry_tilt: dict[str, float]


REGIONS: tuple[RegionSpec, ...] = (
    RegionSpec("EAST", "east", "华东", "East China", 0.26, (
        _city("SH", "上海", "Shanghai", "", "浦东新区 黄浦区 徐汇区 静安区 长宁区 闵行区"),
        _city("HZ", "杭州", "Hangzhou", "浙江省", "上城区 拱墅区 西湖区 滨江区 余杭区 萧山区"),
        _city("NJ", "南京", "Nanjing", "江苏省", "玄武区 秦淮区 鼓楼区 建邺区 江宁区 栖霞区"),
        _city("SU", "苏州", "Suzhou", "江苏省", "姑苏区 吴中区 相城区 虎丘区 吴江区"),
        _city("NB", "宁波", "Ningbo", "浙江省", "海曙区 江北区 鄞州区 北仑区 镇海区"),
        _city("HF", "合肥", "Hefei", "安徽省", "庐阳区 蜀山区 包河区 瑶海区"),
        _city("JN", "济南", "Jinan", "山东省", "历下区 市中区 槐荫区 天桥区 历城区"),
        _city("FZ", "福州", "Fuzhou", "福建省", "鼓楼区 台江区 仓山区 晋安区"),
    ), {"C": 1.2, "I": 1.3, "F": 1.1}),
    RegionSpec("SOUTH", "south", "华南", "South China", 0.20, (
        _city("GZ", "广州", "Guangzhou", "广东省", "天河区 越秀区 海珠区 白云区 番禺区 黄埔区"),
        _city("SZ", "深圳", "Shenzhen", "广东省", "福田区 南山区 罗湖区 宝安区 龙岗区 龙华区"),
        _city("DG", "东莞", "Dongguan", "广东省", "南城街道 东城街道 长安镇 虎门镇 松山湖"),
        _city("FS", "佛山", "Foshan", "广东省", "禅城区 南海区 顺德区 三水区 高明区"),
        _city("NN", "南宁", "Nanning", "广西壮族自治区", "青秀区 兴宁区 江南区 西乡塘区"),
        _city("HK", "海口", "Haikou", "海南省", "龙华区 美兰区 秀英区 琼山区"),
    ), {"C": 1.3, "F": 1.2, "G": 1.2}),
    RegionSpec("NORTH", "north", "华北", "North China", 0.15, (
        _city("BJ", "北京", "Beijing", "", "朝阳区 海淀区 东城区 西城区 丰台区 通州区"),
        _city("TJ", "天津", "Tianjin", "", "和平区 河西区 南开区 滨海新区 河东区"),
        _city("SJZ", "石家庄", "Shijiazhuang", "河北省", "长安区 桥西区 新华区 裕华区"),
        _city("TY", "太原", "Taiyuan", "山西省", "小店区 迎泽区 杏花岭区 万柏林区"),
        _city("HHHT", "呼和浩特", "Hohhot", "内蒙古自治区", "新城区 回民区 赛罕区 玉泉区"),
        _city("BD", "保定", "Baoding", "河北省", "竞秀区 莲池区 满城区"),
    ), {"I": 1.3, "J": 1.5, "B": 1.5, "M": 1.3}),
    RegionSpec("CENTRAL", "central", "华中", "Central China", 0.13, (
        _city("WH", "武汉", "Wuhan", "湖北省", "江岸区 江汉区 武昌区 洪山区 汉阳区"),
        _city("CS", "长沙", "Changsha", "湖南省", "芙蓉区 天心区 岳麓区 开福区 雨花区"),
        _city("ZZ", "郑州", "Zhengzhou", "河南省", "金水区 二七区 中原区 管城回族区 惠济区"),
        _city("NC", "南昌", "Nanchang", "江西省", "东湖区 西湖区 青山湖区 红谷滩区"),
        _city("LY", "洛阳", "Luoyang", "河南省", "洛龙区 西工区 涧西区 老城区"),
        _city("YC", "宜昌", "Yichang", "湖北省", "西陵区 伍家岗区 点军区"),
    ), {"A": 1.4, "E": 1.3, "G": 1.2}),
    RegionSpec("SOUTHWEST", "southwest", "西南", "Southwest", 0.11, (
        _city("CD", "成都", "Chengdu", "四川省", "锦江区 青羊区 武侯区 成华区 金牛区 双流区"),
        _city("CQ", "重庆", "Chongqing", "", "渝中区 江北区 南岸区 九龙坡区 渝北区 沙坪坝区"),
        _city("KM", "昆明", "Kunming", "云南省", "五华区 盘龙区 官渡区 西山区"),
        _city("GY", "贵阳", "Guiyang", "贵州省", "南明区 云岩区 观山湖区 花溪区"),
        _city("MY", "绵阳", "Mianyang", "四川省", "涪城区 游仙区 安州区"),
        _city("YB", "宜宾", "Yibin", "四川省", "翠屏区 叙州区 南溪区"),
    ), {"A": 1.5, "H": 1.3, "R": 1.3}),
    RegionSpec("NORTHWEST", "northwest", "西北", "Northwest", 0.07, (
        _city("XA", "西安", "Xi'an", "陕西省", "雁塔区 碑林区 新城区 莲湖区 未央区"),
        _city("LZ", "兰州", "Lanzhou", "甘肃省", "城关区 七里河区 安宁区 西固区"),
        _city("WLMQ", "乌鲁木齐", "Urumqi", "新疆维吾尔自治区", "天山区 沙依巴克区 新市区 水磨沟区"),
        _city("YCH", "银川", "Yinchuan", "宁夏回族自治区", "兴庆区 金凤区 西夏区"),
        _city("XN", "西宁", "Xining", "青海省", "城东区 城中区 城西区 城北区"),
        _city("BJI", "宝鸡", "Baoji", "陕西省", "渭滨区 金台区 陈仓区"),
    ), {"A": 2.0, "B": 3.0, "D": 2.0}),
    RegionSpec("NORTHEAST", "northeast", "东北", "Northeast", 0.08, (
        _city("SY", "沈阳", "Shenyang", "辽宁省", "和平区 沈河区 皇姑区 铁西区 浑南区"),
        _city("DL", "大连", "Dalian", "辽宁省", "中山区 西岗区 沙河口区 甘井子区"),
        _city("CC", "长春", "Changchun", "吉林省", "朝阳区 南关区 宽城区 绿园区"),
        _city("HEB", "哈尔滨", "Harbin", "黑龙江省", "道里区 南岗区 道外区 香坊区"),
        _city("JL", "吉林", "Jilin", "吉林省", "船营区 昌邑区 丰满区"),
        _city("DQ", "大庆", "Daqing", "黑龙江省", "萨尔图区 让胡路区 龙凤区"),
    ), {"A": 2.0, "C": 1.2, "B": 1.5}),
)
CITIES: dict[str, City] = {city.zh: city for region in REGIONS for city in region.cities}

# A lender's SME and retail book by GB/T 4754 section: trade and manufacturing dominate.
ENTERPRISE_INDUSTRY_WEIGHTS: dict[str, float] = {
    "F": 28, "C": 22, "E": 7, "H": 7, "L": 7, "G": 6, "I": 5, "O": 5, "A": 4, "M": 3, "K": 2,
    "R": 1.5, "Q": 1.5, "P": 1, "N": 0.5, "D": 0.5, "B": 0.5, "J": 0.5,
}
PERSON_INDUSTRY_WEIGHTS: dict[str, float] = {
    "F": 25, "C": 18, "H": 8, "O": 8, "E": 7, "G": 7, "I": 6, "Q": 5, "P": 4, "A": 4, "L": 3, "J": 3,
    "S": 3, "K": 2, "M": 2, "R": 2, "D": 1, "B": 0.5, "N": 0.5,
}
assert set(ENTERPRISE_INDUSTRY_WEIGHTS) | set(PERSON_INDUSTRY_WEIGHTS) <= set(Industry.values)  # noqa: S101

RISK_LIMITS = {1: Decimal("500000.00"), 2: Decimal("3000000.00"), 3: Decimal("20000000.00")}
CN_DIGITS = "零一二三四五六七八九"


def chinese_number(n: int) -> str:
    """1 → 一, 10 → 十, 12 → 十二, 21 → 二十一 (team numbering)."""
    if n < 10:
        return CN_DIGITS[n]
    tens, ones = divmod(n, 10)
    return ("" if tens == 1 else CN_DIGITS[tens]) + "十" + (CN_DIGITS[ones] if ones else "")


def apportion(total: int, weights: list[float], minimum: int = 0) -> list[int]:
    """Split `total` into integer parts proportional to `weights` (largest remainder), each at least
    `minimum`."""
    base = minimum * len(weights)
    rest = max(total - base, 0)
    whole = sum(weights)
    shares = [rest * w / whole for w in weights]
    parts = [int(s) for s in shares]
    order = sorted(range(len(weights)), key=lambda i: (parts[i] - shares[i], i))
    for i in order[: rest - sum(parts)]:
        parts[i] += 1
    return [p + minimum for p in parts]


def regional_weights(region: RegionSpec, base: dict[str, float]) -> dict[str, float]:
    return {code: w * region.industry_tilt.get(code, 1.0) for code, w in base.items()}


def _salt(rng: random.Random) -> str:
    return "".join(rng.choice(string.ascii_letters + string.digits) for _ in range(22))


class _People:
    """Builds users and staff in memory, in creation order, for layer-by-layer bulk insert."""

    def __init__(self, ctx: SeedContext, password_hash: str):
        self.ctx = ctx
        self.password_hash = password_hash
        self.rng = ctx.sub_rng("org.people")
        fake = ctx.sub_faker("org.people")
        self.surnames = [fake.last_name() for _ in range(600)]
        self.male = [name for name in (fake.first_name_male() for _ in range(400)) if name not in {"红霞", "欢", "楠"}]
        self.female = [fake.first_name_female() for _ in range(400)]
        self.layers: list[list[tuple[object, Staff]]] = []
        self.count = 0

    def person_name(self) -> str:
        given = self.male if self.rng.random() < 0.55 else self.female
        return self.rng.choice(self.surnames) + self.rng.choice(given)

    def add(self, layer: int, *, username: str, role: str, name: str | None = None, **fields) -> Staff:
        user_model = get_user_model()
        self.count += 1
        name = name or self.person_name()
        years = {Role.DIRECTOR: (8, 20), Role.REGIONAL_HEAD: (6, 15), Role.TEAM_LEAD: (3, 10)}.get(role, (0.2, 8))
        hired_on = self.ctx.today - timedelta(days=int(365 * self.rng.uniform(*years)))
        user = user_model(username=username, password=self.password_hash, first_name=name[:150],
                          email=f"{username}@demo.lendpilot.cn", is_active=True)
        staff = Staff(employee_no=f"E{self.count:06d}", name=name, role=role, hired_on=hired_on, **fields)
        while len(self.layers) <= layer:
            self.layers.append([])
        self.layers[layer].append((user, staff))
        return staff

    def save(self) -> list[Staff]:
        user_model = get_user_model()
        saved = []
        for layer in self.layers:
            users = user_model.objects.bulk_create([user for user, _ in layer])
            for user, (_, staff) in zip(users, layer, strict=True):
                if user.pk is None:  # backends that cannot return ids from a bulk insert
                    user.pk = user_model.objects.get(username=user.username).pk
                staff.user_id = user.pk
            Staff.objects.bulk_create([staff for _, staff in layer])
            saved.extend(staff for _, staff in layer)
        return saved


def seed(ctx: SeedContext) -> dict[str, int]:
    scale = ctx.scale
    rng = ctx.sub_rng("org")
    with transaction.atomic():
        regions, branches, teams = _structure(ctx, rng)
    # One hash for every demo login (the salt comes from the seed, so the data is reproducible).
    password_hash = make_password(ctx.password, salt=_salt(rng))
    people = _People(ctx, password_hash)

    director = people.add(0, username="director", role=Role.DIRECTOR)
    _login(ctx, director, "director", "全行 All regions")
    heads = {}
    for spec in REGIONS:
        region = regions[spec.code]
        heads[spec.code] = people.add(1, username=f"{spec.slug}_head", role=Role.REGIONAL_HEAD,
                                      region=region, reports_to=director)
        _login(ctx, heads[spec.code], f"{spec.slug}_head", f"{spec.zh} {spec.en}")

    sizes = apportion(scale.account_managers, [rng.uniform(0.75, 1.25) for _ in teams], minimum=2)
    leads, managers = [], []
    for index, (team, size) in enumerate(zip(teams, sizes, strict=True)):
        lead = people.add(2, username="lead_demo" if index == 0 else f"lead_{index + 1:03d}", role=Role.TEAM_LEAD,
                          team=team, region_id=team.region_id, reports_to=heads[team.region_code])
        leads.append(lead)
        if index == 0:
            _login(ctx, lead, "lead_demo", team.name)
        for _ in range(size):
            number = len(managers) + 1
            username = "am_demo" if number == 1 else f"am_{number:04d}"
            am = people.add(3, username=username, role=Role.ACCOUNT_MANAGER, team=team,
                            region_id=team.region_id, reports_to=lead)
            managers.append((am, team))
            if number == 1:
                _login(ctx, am, "am_demo", team.name)

    risk_heads = {}
    for level in (3, 2, 1):
        for i in range(scale.risk_officers[level - 1]):
            username = f"risk_l{level}" if i == 0 else f"risk_l{level}_{i + 1:02d}"
            boss = director if level == 3 else risk_heads[level + 1]
            officer = people.add(4 - level, username=username, role=Role.RISK_OFFICER, reports_to=boss,
                                 approval_level=level, approval_limit=RISK_LIMITS[level])
            if i == 0:
                risk_heads[level] = officer
    for level in (1, 2, 3):
        # Reviews (L1 初审, L2 复审) take any amount; the limit bounds the decision of the final level.
        where = {1: "L1 初审", 2: "L2 复审", 3: f"L3 终审 ≤ ¥{RISK_LIMITS[3]:,.0f}"}[level]
        _login(ctx, risk_heads[level], f"risk_l{level}", where)
    for role, first, prefix, count in (
        (Role.COMPLIANCE_OFFICER, "compliance", "compliance", scale.compliance_officers),
        (Role.OPERATIONS, "operations", "ops", scale.operations_staff),
    ):
        for i in range(count):
            member = people.add(1, username=first if i == 0 else f"{prefix}_{i + 1:02d}", role=role,
                                reports_to=director)
            if i == 0:
                _login(ctx, member, first, "")
    partner_names = _partner_names(ctx, scale.channel_partners)
    for i, name in enumerate(partner_names):
        partner = people.add(0, username="partner" if i == 0 else f"partner_{i + 1:02d}",
                             role=Role.CHANNEL_PARTNER, name=name)
        if i == 0:
            _login(ctx, partner, "partner", "")

    with transaction.atomic():
        staff = people.save()
        skills = _skills(ctx, managers)

    for member in staff:
        ctx.add_ids(f"staff.{member.role}", [member.pk])
    ctx.add_ids("users", [member.user_id for member in staff])
    return {
        "regions": len(regions),
        "branches": len(branches),
        "teams": len(teams),
        "staff": len(staff),
        "account_managers": len(managers),
        "team_leads": len(leads),
        **skills,
    }


def _login(ctx: SeedContext, staff: Staff, username: str, where: str) -> None:
    ctx.add_login(role=str(Role(staff.role).label), username=username, name=staff.name, where=where)


def _structure(ctx: SeedContext, rng: random.Random):
    scale = ctx.scale
    regions, branches, teams = {}, [], []
    for spec in REGIONS:
        regions[spec.code] = region_create(actor=None, code=spec.code, name_zh=spec.zh, name_en=spec.en)
        ctx.add_ids("regions", [regions[spec.code].pk])
    team_counts = apportion(scale.teams, [spec.weight for spec in REGIONS], minimum=1)
    for spec, team_count in zip(REGIONS, team_counts, strict=True):
        region = regions[spec.code]
        cities = spec.cities[: min(scale.branches_per_region, team_count, len(spec.cities))]
        region_branches = [
            branch_create(actor=None, code=f"{city.code}01", name_zh=f"{city.zh}分行", name_en=f"{city.en} Branch",
                          region=region, city=city.zh)
            for city in cities
        ]
        branches.extend(region_branches)
        numbering: dict[tuple[int, str], int] = {}
        for i in range(team_count):
            branch = region_branches[i % len(region_branches)]
            # Every third team of a region works with channel partners; the first is always direct.
            channel = Team.Channel.CHANNEL if i % 3 == 2 else Team.Channel.DIRECT
            key = (branch.pk, channel)
            numbering[key] = numbering.get(key, 0) + 1
            kind_zh, kind_code = ("直销", "D") if channel == Team.Channel.DIRECT else ("渠道", "C")
            team = team_create(actor=None, code=f"{branch.code}-{kind_code}{numbering[key]:02d}",
                               name=f"{branch.city}{kind_zh}{chinese_number(numbering[key])}组",
                               branch=branch, channel=channel)
            team.region_code = spec.code
            teams.append(team)
    ctx.add_ids("branches", [b.pk for b in branches])
    ctx.add_ids("teams", [t.pk for t in teams])
    return regions, branches, teams


def _partner_names(ctx: SeedContext, count: int) -> list[str]:
    rng = ctx.sub_rng("org.partners")
    first = ["融信", "汇通", "众联", "安泰", "金桥", "鼎盛", "优选", "恒信", "启航", "惠达", "普安", "聚力", "瑞和",
             "盈通", "惠民"]
    kinds = ["金融信息服务有限公司", "融资担保有限公司", "商务咨询有限公司", "汽车销售服务有限公司", "装饰工程有限公司"]
    names: list[str] = []
    while len(names) < count:
        name = rng.choice(first) + rng.choice(kinds)
        if name not in names:
            names.append(name)
    return names


# Product families a channel team sells more of, and those a direct team sells more of.
_CHANNEL_LEANING = {ProductCategory.CONSUMER: 1.0, ProductCategory.CREDIT: 0.8, ProductCategory.MORTGAGE: 0.3}
_DIRECT_LEANING = {ProductCategory.BUSINESS: 1.0, ProductCategory.SUPPLY_CHAIN: 0.8,
                   ProductCategory.EQUIPMENT_LEASING: 0.6, ProductCategory.MORTGAGE: 0.5}


def _skills(ctx: SeedContext, managers: list[tuple[Staff, Team]]) -> dict[str, int]:
    """The skills matrix (B7) of every account manager: 2-5 industries, all six product families,
    and an existing-customer conversion rate that grows with tenure."""
    rng = ctx.sub_rng("org.skills")
    spec_of = {spec.code: spec for spec in REGIONS}
    expertise, familiarity, profiles = [], [], []
    for am, team in managers:
        tenure_years = (ctx.today - am.hired_on).days / 365
        seniority = min(tenure_years / 8, 1.0)
        weights = regional_weights(spec_of[team.region_code], ENTERPRISE_INDUSTRY_WEIGHTS)
        codes, chosen, wanted = list(weights), [], rng.randint(2, 5)
        while len(chosen) < wanted:
            pick = rng.choices(codes, weights=[weights[c] for c in codes])[0]
            if pick not in chosen:
                chosen.append(pick)
        for rank, code in enumerate(chosen):
            level = rng.randint(3, 5) if rank == 0 else rng.randint(1, 4)
            expertise.append(IndustryExpertise(staff=am, industry=code, level=level))
        leaning = _CHANNEL_LEANING if team.channel == Team.Channel.CHANNEL else _DIRECT_LEANING
        for category in ProductCategory.values:
            raw = 1 + 3 * seniority * rng.uniform(0.6, 1.2) + leaning.get(category, 0) + rng.uniform(-0.5, 0.5)
            familiarity.append(ProductFamiliarity(staff=am, category=category, level=max(1, min(5, round(raw)))))
        rate = min(0.05 + 0.25 * seniority * rng.uniform(0.5, 1.3) + rng.betavariate(2, 8) * 0.2, 0.8)
        profiles.append(SkillProfile(staff=am, existing_customer_conversion_rate=Decimal(f"{rate:.4f}")))
    IndustryExpertise.objects.bulk_create(expertise, batch_size=ctx.scale.batch_size)
    ProductFamiliarity.objects.bulk_create(familiarity, batch_size=ctx.scale.batch_size)
    SkillProfile.objects.bulk_create(profiles, batch_size=ctx.scale.batch_size)
    return {"industry_expertise": len(expertise), "product_familiarity": len(familiarity),
            "skill_profiles": len(profiles)}
