"""Demo bank, step 3: customers, persons and enterprises, each owned by an account manager.

Every customer lives in its manager's region, mostly in the manager's branch city. Identifiers
come from `customers.synthetic` (valid GB 11643 ID numbers, GB 32100 credit codes, mobiles, Luhn
bank cards) and are sealed with `customers.pii.sealed_columns`, exactly as `customer_create` stores
them. Names come from pools drawn once from Faker (zh_CN) and combined with the step's seeded
generator; rows are bulk loaded (COPY on PostgreSQL) without a per-row audit record: the runner
writes one batch event with the counts.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from itertools import accumulate
from typing import TYPE_CHECKING

from django.utils import timezone
from stdnum import luhn
from stdnum.cn import ric, uscc

from lendpilot.customers.models import Customer
from lendpilot.customers.pii import sealed_columns
from lendpilot.customers.synthetic import area_codes, make_mobile
from lendpilot.org.demo import (
    CITIES,
    ENTERPRISE_INDUSTRY_WEIGHTS,
    PERSON_INDUSTRY_WEIGHTS,
    REGIONS,
    City,
    regional_weights,
)
from lendpilot.org.models import Staff, Team
from lendpilot.org.roles import Role

if TYPE_CHECKING:
    from lendpilot.core.seeding import SeedContext

COLUMNS = [
    "kind", "name",
    "id_number_cipher", "id_number_hash", "id_number_masked", "credit_code",
    "phone_cipher", "phone_hash", "phone_masked",
    "bank_account_cipher", "bank_account_hash", "bank_account_masked",
    "birth_date", "gender", "legal_representative", "industry", "region_id", "city", "address",
    "manager_id", "lifecycle_status", "tier", "created_at", "updated_at",
]

LIFECYCLE_WEIGHTS = {
    Customer.Lifecycle.ACTIVE: 45, Customer.Lifecycle.PROSPECT: 30,
    Customer.Lifecycle.DORMANT: 18, Customer.Lifecycle.CHURNED: 7,
}

def _words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


# Trade names are made of two auspicious characters, as most small Chinese firms are.
_BRAND_CHARS = tuple("恒泰华盛鑫隆瑞丰昌达宏远新金源通和信德嘉兴永安正中天宇创博聚汇海诚"
                     "越启腾佳联顺福辰锦晟弘润峰骏卓宸鸿鼎朗恩同亿富荣振明美优捷")
_INDUSTRY_WORDS: dict[str, tuple[str, ...]] = {
    "A": ("农业", "生态农业", "种植", "养殖", "农产品", "果蔬"),
    "B": ("矿业", "矿产", "石材"),
    "C": ("机械", "电子", "精密制造", "新材料", "纺织", "食品", "汽车零部件", "五金", "塑胶", "化工", "家具", "包装"),
    "D": ("能源", "电力", "燃气", "新能源"),
    "E": ("建设工程", "建筑", "装饰工程", "市政工程", "建材安装"),
    "F": ("商贸", "贸易", "百货", "供应链", "电子商务", "医药连锁", "建材"),
    "G": ("物流", "运输", "货运", "仓储", "快运"),
    "H": ("餐饮管理", "酒店管理", "餐饮", "食府"),
    "I": ("信息技术", "网络科技", "软件", "数据科技", "智能科技"),
    "J": ("投资管理", "资产管理", "典当"),
    "K": ("房地产开发", "置业", "物业管理"),
    "L": ("企业管理咨询", "人力资源", "广告", "会展服务", "商务服务"),
    "M": ("检测技术", "工程技术", "生物科技", "设计"),
    "N": ("环保科技", "水务", "园林绿化"),
    "O": ("家政服务", "汽车维修", "美容美发", "洗涤服务"),
    "P": ("教育科技", "职业培训", "文化培训"),
    "Q": ("健康管理", "门诊部", "医疗科技", "养老服务"),
    "R": ("文化传媒", "体育发展", "影视", "文化旅游"),
    "S": ("社会服务",),
    "T": ("国际合作",),
}
_SUFFIXES = ("有限公司",) * 14 + ("有限责任公司",) * 3 + ("股份有限公司",) * 2 + ("合伙企业(有限合伙)",)
_STREETS = _words(
    "人民路 解放路 中山路 建设路 和平路 新华路 文化路 胜利路 光明路 长江路 "
    "黄河路 青年路 学府路 科技路 创业路 工业路 滨河路 东风路 迎宾路 友谊路 "
    "北京路 南京路 朝阳路 幸福路 世纪大道 金融街 湖滨路 花园路 健康路 团结路 "
    "振兴路 发展大道 环城东路 环城西路 复兴路 民主路 育才路 春晓路 锦绣路 兴业路"
)


_FEMININE = {"红霞", "欢", "楠"}


@dataclass(frozen=True)
class _Manager:
    pk: int
    region_id: int
    region_code: str
    city: str
    channel: str


class _Pools:
    """Names and words drawn once; combined per row with the step's generator."""

    def __init__(self, ctx: SeedContext):
        fake = ctx.sub_faker("customers.names")
        self.surnames = [fake.last_name() for _ in range(3000)]  # Faker weights surnames by frequency
        # Faker's zh_CN male list carries a few given names that read as female.
        self.male = [n for n in dict.fromkeys(fake.first_name_male() for _ in range(2000)) if n not in _FEMININE]
        self.female = list(dict.fromkeys(fake.first_name_female() for _ in range(2000)))
        rng = ctx.sub_rng("customers.brands")
        brands = [a + b for a in _BRAND_CHARS for b in _BRAND_CHARS if a != b]
        rng.shuffle(brands)
        self.brands = brands


def _managers() -> list[_Manager]:
    rows = (
        Staff.objects.filter(role=Role.ACCOUNT_MANAGER, is_active=True)
        .order_by("employee_no")
        .values_list("pk", "region_id", "region__code", "team__branch__city", "team__channel")
    )
    return [_Manager(*row) for row in rows]


def seed(ctx: SeedContext) -> dict[str, int]:
    managers = _managers()
    if not managers:
        raise RuntimeError("the customers step needs account managers: run the org step first")
    counts = {"persons": 0, "enterprises": 0}
    total = ctx.scale.customers
    rows = _rows(ctx, managers, total, counts)
    written = ctx.insert_rows(Customer, COLUMNS, rows, total=total, desc="customers")
    ctx.info["customers.count"] = written
    if ctx.is_postgresql:
        ctx.analyze(Customer)
    return {"customers": written, **counts}


def _cumulative(weights: dict) -> tuple[list, list[float]]:
    keys = list(weights)
    return keys, list(accumulate(weights[k] for k in keys))


def _rows(ctx: SeedContext, managers: list[_Manager], total: int, counts: dict[str, int]) -> Iterator[tuple]:
    rng = ctx.sub_rng("customers")
    pools = _Pools(ctx)
    specs = {spec.code: spec for spec in REGIONS}
    person_industries = {code: _cumulative(regional_weights(spec, PERSON_INDUSTRY_WEIGHTS))
                         for code, spec in specs.items()}
    enterprise_industries = {code: _cumulative(regional_weights(spec, ENTERPRISE_INDUSTRY_WEIGHTS))
                             for code, spec in specs.items()}
    lifecycles, lifecycle_cum = _cumulative(LIFECYCLE_WEIGHTS)
    # Books differ in size: some managers carry three times the customers of others.
    manager_cum = list(accumulate(rng.uniform(0.5, 1.5) for _ in managers))
    share = ctx.scale.enterprise_share
    enterprise_chance = {Team.Channel.DIRECT: min(share * 1.25, 1.0), Team.Channel.CHANNEL: share * 0.5}
    now = timezone.now()
    identifiers = _Identifiers(rng)

    for _ in range(total):
        manager = rng.choices(managers, cum_weights=manager_cum)[0]
        city = _customer_city(rng, manager, specs[manager.region_code].cities)
        is_enterprise = rng.random() < enterprise_chance.get(manager.channel, share)
        if is_enterprise:
            keys, cum = enterprise_industries[manager.region_code]
            industry = rng.choices(keys, cum_weights=cum)[0]
            credit_code = identifiers.credit_code()
            name = (city.zh + rng.choice(pools.brands) + rng.choice(_INDUSTRY_WORDS[industry])
                    + rng.choice(_SUFFIXES))
            # The legal representative's ID number is on file for about half of the enterprises.
            id_number = identifiers.id_number() if rng.random() < 0.5 else ""
            male = int(id_number[16]) % 2 == 1 if id_number else rng.random() < 0.7
            representative = _person_name(rng, pools, male=male)
            bank_account = _corporate_account(rng) if rng.random() < 0.7 else ""
            address = _office_address(rng, city)
            counts["enterprises"] += 1
            kind = Customer.Kind.ENTERPRISE
        else:
            keys, cum = person_industries[manager.region_code]
            industry = rng.choices(keys, cum_weights=cum)[0]
            credit_code, representative = "", ""
            id_number = identifiers.id_number()
            name = _person_name(rng, pools, male=int(id_number[16]) % 2 == 1)
            bank_account = identifiers.bank_card() if rng.random() < 0.85 else ""
            address = _home_address(rng, city)
            counts["persons"] += 1
            kind = Customer.Kind.PERSON
        birth_date, gender = None, ""
        if id_number:  # as customer_create does: birth date and gender follow the ID number
            birth_date = date(int(id_number[6:10]), int(id_number[10:12]), int(id_number[12:14]))
            gender = "M" if int(id_number[16]) % 2 else "F"
        sealed_id = sealed_columns("id_number", id_number)
        sealed_phone = sealed_columns("phone", make_mobile(rng))
        sealed_account = sealed_columns("bank_account", bank_account)
        yield (
            kind, name,
            sealed_id["id_number_cipher"], sealed_id["id_number_hash"], sealed_id["id_number_masked"], credit_code,
            sealed_phone["phone_cipher"], sealed_phone["phone_hash"], sealed_phone["phone_masked"],
            sealed_account["bank_account_cipher"], sealed_account["bank_account_hash"],
            sealed_account["bank_account_masked"],
            birth_date, gender, representative, industry, manager.region_id, city.zh, address,
            # Every customer starts micro; the portrait step sets tiers from the loan book.
            manager.pk, rng.choices(lifecycles, cum_weights=lifecycle_cum)[0], Customer.Tier.MICRO, now, now,
        )


class _Identifiers:
    """The generators of `customers.synthetic` without their closing stdnum validation (which costs
    more than building the number): the same real area codes, real birth dates and check digits, so
    every number still validates (the tests check each one with python-stdnum)."""

    BORN_FROM, BORN_TO = date(1960, 1, 1), date(2003, 12, 31)
    USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"

    def __init__(self, rng: random.Random):
        self.rng = rng
        self.areas = area_codes()
        self.span = (self.BORN_TO - self.BORN_FROM).days
        self.seen_ids: set[str] = set()
        self.seen_codes: set[str] = set()

    def id_number(self) -> str:
        rng = self.rng
        while True:
            born = self.BORN_FROM + timedelta(days=rng.randrange(self.span))
            body = f"{rng.choice(self.areas)}{born.year:04d}{born.month:02d}{born.day:02d}{rng.randrange(1000):03d}"
            number = body + ric.calc_check_digit(body + "0")
            if number not in self.seen_ids:
                self.seen_ids.add(number)
                return number

    def bank_card(self) -> str:
        body = f"622{self.rng.randrange(10**15):015d}"  # a UnionPay debit card
        return body + luhn.calc_check_digit(body)

    def credit_code(self) -> str:
        rng = self.rng
        while True:
            # 9 = registered with industry and commerce, 1 = enterprise; then area, organisation code.
            body = "91" + rng.choice(self.areas) + "".join(rng.choice(self.USCC_ALPHABET) for _ in range(9))
            code = body + uscc.calc_check_digit(body)
            if code not in self.seen_codes:
                self.seen_codes.add(code)
                return code


def _person_name(rng: random.Random, pools: _Pools, *, male: bool) -> str:
    return rng.choice(pools.surnames) + rng.choice(pools.male if male else pools.female)


def _customer_city(rng: random.Random, manager: _Manager, region_cities: tuple[City, ...]) -> City:
    """Four in five customers live in the branch's own city, the rest elsewhere in the region."""
    if rng.random() < 0.8 or len(region_cities) == 1:
        return CITIES[manager.city]
    return rng.choice(region_cities)


def _corporate_account(rng: random.Random) -> str:
    # Corporate settlement accounts are longer than cards and carry no Luhn digit.
    return "1" + "".join(str(rng.randrange(10)) for _ in range(19))


def _home_address(rng: random.Random, city: City) -> str:
    return (f"{city.address_prefix}{rng.choice(city.districts)}{rng.choice(_STREETS)}{rng.randint(1, 999)}号"
            f"{rng.randint(1, 30)}栋{rng.randint(1, 4)}单元{rng.randint(1, 32)}{rng.randint(1, 4):02d}室")


def _office_address(rng: random.Random, city: City) -> str:
    tower = f"{rng.choice('ABCD')}座{rng.randint(2, 28)}{rng.randint(1, 20):02d}室" if rng.random() < 0.5 else ""
    return f"{city.address_prefix}{rng.choice(city.districts)}{rng.choice(_STREETS)}{rng.randint(1, 999)}号{tower}"
