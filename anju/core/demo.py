"""Deterministic demo data: a realistic Chinese district (or several) with named personas.

Everything is drawn from one ``random.Random(seed)``, so the same seed and scale always give
the same regions, estates, units, owners and companies (contract dates follow the day the
data is built, so that current contracts stay current). Rows are written with
``bulk_create``; encrypted fields still go through ``EncryptedCharField``.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from itertools import accumulate, product

from django.apps import apps
from django.contrib.auth.hashers import make_password
from django.core.management.color import no_style
from django.db import connection, models, reset_queries, transaction
from django.db.models import Count, Q
from django.utils import timezone

from anju.accounts.models import Membership, User
from anju.accounts.roles import Role
from anju.companies.models import ProjectManager, PropertyCompany, ServiceContract
from anju.companies.rules import uscc_check_char
from anju.core.pii import digest
from anju.estates.models import (
    Building,
    Compound,
    Estate,
    Owner,
    Ownership,
    Resident,
    Unit,
)
from anju.regions.models import Department, Grid, Region

BATCH_SIZE = 5000
DEMO_PASSWORD = "anju2026"  # noqa: S105 - the published demo password, printed by `personas`
DEFAULT_SEED = 2026
# Ledger history (ownership and moving-in dates) ends here so that it does not depend on the
# day the data is built; only service contracts follow today's date.
HISTORY_END = date(2025, 12, 31)


def _words(text: str) -> list[str]:
    return text.split()


@dataclass(frozen=True)
class Scale:
    districts: int
    streets: int  # per district
    communities: int  # per street
    estates: int  # per district
    households: int  # mean residential units per estate
    companies: int  # in total
    developers: int  # in total


SCALES: dict[str, Scale] = {
    "tiny": Scale(districts=1, streets=2, communities=2, estates=6, households=28, companies=4,
                  developers=2),
    "default": Scale(districts=1, streets=3, communities=4, estates=60, households=250,
                     companies=15, developers=6),
    "district": Scale(districts=1, streets=12, communities=8, estates=600, households=190,
                      companies=100, developers=30),
    "city": Scale(districts=10, streets=12, communities=8, estates=600, households=190,
                  companies=600, developers=150),
}  # fmt: skip

# -- name pools -------------------------------------------------------------------------------

DISTRICTS = [
    ("510104", "锦江区"),
    ("510105", "青羊区"),
    ("510106", "金牛区"),
    ("510107", "武侯区"),
    ("510108", "成华区"),
    ("510112", "龙泉驿区"),
    ("510113", "青白江区"),
    ("510114", "新都区"),
    ("510115", "温江区"),
    ("510116", "双流区"),
    ("510117", "郫都区"),
    ("510118", "新津区"),
]
STREET_NAMES = _words(
    "春熙路 书院街 合江亭 水井坊 牛市口 龙舟路 双桂路 莲新 沙河 东光 狮子山 成龙路 柳江 三圣 "
    "草堂 府南 光华 金沙 黄田坝 苏坡 文家 西华 抚琴 营门口 茶店子 驷马桥 荷花池 西安路 五块石 "
    "九里堤 沙湾 跳蹬河 双水碾 猛追湾 万年场 保和 青龙 龙潭 白莲池 二仙桥 府青路 双桥子 玉林 "
    "簇桥 机投桥 红牌楼 晋阳 望江路 浆洗街 芳草街 石羊 桂溪 肖家河 华兴 东升 黄甲 西航港 怡心"
)
COMMUNITY_NAMES = _words(
    "红星 和平 东风 幸福 建设 胜利 团结 光明 新华 友谊 人民 解放 向阳 民主 长征 红旗 曙光 永丰 "
    "金桥 锦绣 和谐 春江 桂花 荷塘 柳荫 梅林 兰亭 竹园 松柏 银杏 芙蓉 海棠 玉带 翠微 碧波 "
    "安康 福寿 吉祥 如意 平安 兴隆 百花 朝阳 晨曦 清风 明月 紫荆 枫林 丹桂"
)
PLACE_FIRST = list("金玉锦青红光新东西南北龙凤桂柳荷梅兰竹松华文和平安康福泰宁丰瑞祥")
PLACE_SECOND = list("泉江城桥林山河湖坝堰湾塘园门口亭岗坪岭溪")
ROAD_NAMES = _words(
    "春熙路 红星路 东大街 人民南路 蜀都大道 天府大道 建设路 府青路 玉林路 科华北路 金沙路 "
    "一环路东一段 二环路东三段 水碾河路 东风路 书院街 莲桂南路 锦华路 静康路 大慈寺路 星辉路 "
    "九眼桥路 双桂路 沙河堡路 成龙大道 驿都大道 龙泉街 青龙街 西御街 金河路 清江东路 光华大道 "
    "抚琴西路 营康西路 蜀汉路 交大路 沙湾路 羊西线 二仙桥东路 万年路 跳蹬河南路 东虹路"
)
ESTATE_PREFIXES = _words(
    "锦绣 翠苑 金色 阳光 香榭 紫荆 银杏 桂花 蓝湾 清水 望江 南湖 东湖 御景 华府 世纪 时代 天府 "
    "龙湖 滨江 半岛 书香 海棠 芙蓉 玉林 锦城 浣花 青城 峨眉 岷江 沙河 府河 南河 锦里 蜀都 合江 "
    "星辰 明月 春风 秋水 翡翠 琥珀 长桥 梧桐 枫林 雅居 怡景 和美 盛世 瑞景 融城 金沙 凤凰 麒麟 "
    "新城 大成 嘉禾 锦江 河畔 香樟 丽都 名都 天顺 盛景 宏达 恒祥 鑫苑 康桥"
)
ESTATE_SUFFIXES = {
    Estate.Kind.COMMERCIAL: (["花园", "小区", "苑", "公寓", "华庭", "府", "名城", "雅苑"],
                             [30, 15, 20, 10, 8, 7, 5, 5]),
    Estate.Kind.OLD: (["小区", "新村", "院", "里"], [45, 30, 15, 10]),
    Estate.Kind.RESETTLEMENT: (["安置小区", "新居", "家园", "花园"], [40, 25, 25, 10]),
    Estate.Kind.AFFORDABLE: (["公租房小区", "人才公寓", "家园", "公寓"], [35, 25, 25, 15]),
}  # fmt: skip
WORK_UNITS = _words(
    "电力局 纺织厂 机械厂 铁路局 邮电局 市一医院 烟草公司 无缝钢管厂 人民银行 地质队 农机厂 "
    "自来水公司 粮食局 建工集团 电子管厂 量具刃具厂 汽车运输公司 商业局 卷烟厂 棉纺厂"
)
WORK_UNIT_SUFFIXES = ["宿舍", "家属院", "职工宿舍", "生活区"]
COMPANY_BRANDS = _words(
    "安心 宜居 嘉园 鸿泰 万和 信和 锦华 蜀安 和顺 恒达 德善 惠民 瑞祥 康馨 佳和 锦悦 众诚 "
    "诚信 华宇 泰和 祥瑞 立信 优居 安家 乐居 福瑞 广厦 宏远 怡和 邻里 暖居 安邦 睦邻 悦家"
)
COMPANY_FORMS = [
    ("成都{}物业服务有限公司", 40),
    ("四川{}物业管理有限公司", 25),
    ("{}物业服务集团有限公司", 15),
    ("成都{}物业管理有限责任公司", 20),
]
DEVELOPER_FORMS = ["成都{}置业有限公司", "四川{}房地产开发有限公司", "{}地产集团有限公司"]
DEVELOPER_BRANDS = _words(
    "锦宏 蓉城 天禧 嘉年 恒邦 瑞丰 华景 盛和 宏泰 鼎盛 安泰 锦程 兴隆 永安 宏图 金鼎 祥和 同辉 "
    "蜀鑫 汇川"
)
SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程"
    "苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝"
)
SURNAME_WEIGHTS = list(accumulate(1 / (rank + 1) ** 0.8 for rank in range(len(SURNAMES))))
GIVEN = {
    # (gender, older generation?) -> given names
    ("m", True): _words(
        "建国 建华 国强 志强 志明 德明 永红 卫东 文革 国庆 建军 宝山 福生 长林 树林 "
        "明 军 勇 刚 平 华 斌 强 林 波 荣 伟 忠 海 春生 德福 正华"
    ),
    ("f", True): _words(
        "秀英 桂英 玉兰 桂兰 淑珍 秀兰 凤英 玉珍 淑华 红梅 素芬 丽华 秀珍 美华 "
        "芳 英 兰 萍 霞 敏 琼 红 燕 蓉 娟 桂芳 建萍 丽"
    ),
    ("m", False): _words(
        "伟 强 磊 军 勇 杰 涛 斌 超 明 鹏 辉 鑫 波 宇 浩 凯 健 俊 帆 旭 宁 阳 "
        "子轩 浩然 宇航 俊杰 志远 晨阳 博文 家豪 思远 天佑 一鸣 泽宇"
    ),
    ("f", False): _words(
        "芳 娜 敏 静 丽 艳 娟 婷 雪 琳 颖 倩 欣 怡 佳 悦 丹 萍 "
        "梓涵 诗涵 雨萱 思琪 晓燕 欣怡 佳琪 婉清 雅婷 梦瑶 紫萱 若曦"
    ),
}
PHONE_PREFIXES = _words(
    "130 131 132 133 135 136 137 138 139 150 151 152 153 155 156 157 158 159 166 173 177 180 "
    "181 182 183 185 186 187 188 189 191 198 199"
)
DEPARTMENTS = [
    (Department.Kind.HOUSING, "{d}住房和城乡建设局"),
    (Department.Kind.POLICE, "成都市公安局{d}分局"),
    (Department.Kind.FIRE, "{d}消防救援大队"),
    (Department.Kind.MARKET, "{d}市场监督管理局"),
    (Department.Kind.URBAN, "{d}综合行政执法局"),
    (Department.Kind.DEVELOPMENT, "{d}发展和改革局"),
    (Department.Kind.PLANNING, "{d}规划和自然资源局"),
    (Department.Kind.ENVIRONMENT, "成都市{d}生态环境局"),
    (Department.Kind.CIVIL, "{d}民政局"),
    (Department.Kind.JUSTICE, "{d}司法局"),
    (Department.Kind.COURT, "{d}人民法院"),
    (Department.Kind.ECONOMY, "{d}经济和信息化局"),
    (Department.Kind.HEALTH, "{d}卫生健康局"),
    (Department.Kind.EMERGENCY, "{d}应急管理局"),
    (Department.Kind.OTHER, "{d}信访局"),
]
GRID_NUMERALS = "一二三四五六"
# Estate kinds and management modes with their frequencies (S2: 496 of 565 company-managed).
KIND_WEIGHTS = {
    Estate.Kind.COMMERCIAL: 55,
    Estate.Kind.OLD: 25,
    Estate.Kind.RESETTLEMENT: 8,
    Estate.Kind.AFFORDABLE: 5,
    Estate.Kind.WORK_UNIT: 7,
}
M = Estate.ManagementMode
MODE_WEIGHTS = {
    Estate.Kind.COMMERCIAL: {M.PROFESSIONAL: 99, M.SELF: 1},
    Estate.Kind.OLD: {M.PROFESSIONAL: 66, M.COMMUNITY: 20, M.NONE: 10, M.SELF: 4},
    Estate.Kind.RESETTLEMENT: {M.PROFESSIONAL: 85, M.COMMUNITY: 15},
    Estate.Kind.AFFORDABLE: {M.PROFESSIONAL: 95, M.SELF: 5},
    Estate.Kind.WORK_UNIT: {M.SELF: 45, M.PROFESSIONAL: 35, M.COMMUNITY: 10, M.NONE: 10},
}
BUILT_YEARS = {
    Estate.Kind.COMMERCIAL: (1998, 2022),
    Estate.Kind.OLD: (1985, 2000),
    Estate.Kind.RESETTLEMENT: (2005, 2022),
    Estate.Kind.AFFORDABLE: (2010, 2022),
    Estate.Kind.WORK_UNIT: (1985, 1999),
}
# Mean flat size in m² (min, max) by estate kind.
FLAT_AREA = {
    Estate.Kind.COMMERCIAL: (70, 160),
    Estate.Kind.OLD: (42, 95),
    Estate.Kind.RESETTLEMENT: (60, 110),
    Estate.Kind.AFFORDABLE: (35, 70),
    Estate.Kind.WORK_UNIT: (48, 90),
}
# Fee (yuan/m²/month, in fen) by service level: 一级 is the highest.
FEE_FEN = {"1": (250, 350), "2": (180, 280), "3": (120, 200), "4": (90, 150), "5": (80, 120)}
NEW_ESTATE_YEAR = 2019  # built from then on: developer still holds units, 前期 contract


# -- identifiers ------------------------------------------------------------------------------

ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
ID_CHECK = "10X98765432"
ORG_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)


def id_check_char(first17: str) -> str:
    """Return the GB 11643 check character of a citizen ID number's first 17 digits."""
    return ID_CHECK[sum(int(c) * w for c, w in zip(first17, ID_WEIGHTS, strict=True)) % 11]


def org_code_check_char(first8: str) -> str:
    """Return the GB 11714 check character of an organisation code (digits only here)."""
    value = 11 - sum(int(c) * w for c, w in zip(first8, ORG_WEIGHTS, strict=True)) % 11
    return {10: "X", 11: "0"}.get(value, str(value))


def _decimal(cents: int) -> Decimal:
    return Decimal(cents).scaleb(-2)


def _coordinate(value: float) -> Decimal:
    return Decimal(f"{value:.6f}")


# -- the builder ------------------------------------------------------------------------------


@dataclass
class Person:
    name: str
    surname: str
    gender: str
    birth: date


@dataclass
class Pending:
    """Rows waiting for the next bulk insert, in dependency order."""

    estates: list = field(default_factory=list)
    compounds: list = field(default_factory=list)
    buildings: list = field(default_factory=list)
    units: list = field(default_factory=list)
    owners: list = field(default_factory=list)
    ownerships: list = field(default_factory=list)
    residents: list = field(default_factory=list)
    contracts: list = field(default_factory=list)
    managers: list = field(default_factory=list)

    def flush(self) -> dict[str, int]:
        created = {}
        for name, model in (
            ("estates", Estate),
            ("compounds", Compound),
            ("buildings", Building),
            ("units", Unit),
            ("owners", Owner),
            ("ownerships", Ownership),
            ("residents", Resident),
            ("contracts", ServiceContract),
            ("managers", ProjectManager),
        ):
            rows = getattr(self, name)
            if rows:
                model.objects.bulk_create(rows, batch_size=BATCH_SIZE)
            created[name] = len(rows)
            rows.clear()
        # With DEBUG on, Django keeps the SQL of recent queries: megabytes per bulk insert.
        reset_queries()
        return created


@dataclass
class Summary:
    scale: str
    seed: int
    seconds: float = 0.0
    counts: dict[str, int] = field(default_factory=dict)


class DemoBuilder:
    def __init__(
        self,
        scale: str = "default",
        seed: int = DEFAULT_SEED,
        *,
        today: date | None = None,
        progress: Callable[[str], None] | None = None,
    ):
        self.scale_name = scale
        self.scale = SCALES[scale]
        self.seed = seed
        self.rng = random.Random(seed)  # noqa: S311 - demo data, not security
        self.today = today or timezone.localdate()
        self.progress = progress or (lambda message: None)
        self.used_ids: set[str] = set()
        self.used_usccs: set[str] = set()
        self.pending = Pending()
        self.manager_serial = 0
        self.first_plan: DistrictPlan | None = None
        self.all_companies: list[PropertyCompany] = []

    # -- people ---------------------------------------------------------------------------

    def person(self, *, born: tuple[int, int] = (1940, 2000), gender: str = "",
               surname: str = "") -> Person:  # fmt: skip
        rng = self.rng
        gender = gender or rng.choice("mf")
        surname = surname or rng.choices(SURNAMES, cum_weights=SURNAME_WEIGHTS)[0]
        birth = date(rng.randint(*born), 1, 1) + timedelta(days=rng.randint(0, 364))
        given = rng.choice(GIVEN[(gender, birth.year < 1970)])
        return Person(surname + given, surname, gender, birth)

    def id_number(self, area: str, person: Person) -> str:
        rng = self.rng
        for attempt in range(10_000):
            if attempt and attempt % 100 == 0:
                person.birth -= timedelta(days=1)  # that day's serials are nearly all taken
            serial = rng.randrange(0, 999, 2) + (1 if person.gender == "m" else 0)
            body = f"{area}{person.birth:%Y%m%d}{serial:03d}"
            code = body + id_check_char(body)
            if code not in self.used_ids:
                self.used_ids.add(code)
                return code
        raise RuntimeError("no free ID number left")  # unreachable at any planned scale

    def phone(self) -> str:
        return self.rng.choice(PHONE_PREFIXES) + f"{self.rng.randrange(10**8):08d}"

    def owner(self, area: str, person: Person | None = None) -> tuple[Owner, Person]:
        person = person or self.person()
        id_number = self.id_number(area, person)
        owner = Owner(
            kind=Owner.Kind.PERSON,
            name=person.name,
            id_number=id_number,
            id_number_digest=digest(id_number),
            phone=self.phone(),
        )
        self.pending.owners.append(owner)
        return owner, person

    def uscc(self, area: str, kind: str = "91") -> str:
        while True:
            body8 = f"{self.rng.randrange(10**8):08d}"
            first17 = f"{kind}{area}{body8}{org_code_check_char(body8)}"
            code = first17 + uscc_check_char(first17)
            if code not in self.used_usccs:
                self.used_usccs.add(code)
                return code

    # -- regions --------------------------------------------------------------------------

    def build_regions(self) -> list[DistrictPlan]:
        rng, scale = self.rng, self.scale
        street_pool = [n + "街道" for n in STREET_NAMES]
        extra = [a + b for a, b in product(PLACE_FIRST, PLACE_SECOND)]
        rng.shuffle(extra)
        street_pool += [n + "街道" for n in extra if n + "街道" not in street_pool]
        community_pool = [n + "社区" for n in COMMUNITY_NAMES]
        community_extra = [a + b for a, b in product(PLACE_FIRST, PLACE_FIRST) if a != b]
        rng.shuffle(community_extra)
        community_pool += [n + "社区" for n in community_extra]
        plans = []
        streets_used = 0
        for d_index in range(scale.districts):
            area, name = DISTRICTS[d_index]
            district = Region.objects.create(
                code=f"{area}000000", name=name, level=Region.Level.DISTRICT
            )
            center = (104.066 + rng.uniform(-0.15, 0.15), 30.66 + rng.uniform(-0.12, 0.12))
            plan = DistrictPlan(district=district, area=area, center=center)
            streets = []
            for s in range(scale.streets):
                streets.append(
                    Region(
                        code=f"{area}{s + 1:03d}000",
                        name=street_pool[streets_used],
                        level=Region.Level.STREET,
                        parent=district,
                    )
                )
                streets_used += 1
            Region.objects.bulk_create(streets)
            communities = []
            names = iter(community_pool)
            for street in streets:
                roads = rng.sample(ROAD_NAMES, 3)
                street_center = (
                    center[0] + rng.uniform(-0.03, 0.03),
                    center[1] + rng.uniform(-0.03, 0.03),
                )
                for c in range(scale.communities):
                    community = Region(
                        code=f"{street.code[:9]}{c + 1:03d}",
                        name=next(names),
                        level=Region.Level.COMMUNITY,
                        parent=street,
                    )
                    communities.append(community)
                    plan.roads[community.code] = [*roads, rng.choice(ROAD_NAMES)]
                    plan.centers[community.code] = (
                        street_center[0] + rng.uniform(-0.01, 0.01),
                        street_center[1] + rng.uniform(-0.01, 0.01),
                    )
            Region.objects.bulk_create(communities)
            grids = []
            for community in communities:
                grids.extend(
                    Grid(community=community, name=f"{community.name}第{GRID_NUMERALS[g]}网格")
                    for g in range(rng.randint(2, 4))
                )
            Grid.objects.bulk_create(grids)
            for grid in grids:
                plan.grids.setdefault(grid.community.code, []).append(grid)
            Department.objects.bulk_create(
                Department(district=district, kind=kind, name=pattern.format(d=name))
                for kind, pattern in DEPARTMENTS
            )
            plan.communities = communities
            plans.append(plan)
            self.progress(
                f"{name}: {len(streets)} streets, {len(communities)} communities, "
                f"{len(grids)} grids"
            )
        return plans

    # -- companies and developers ---------------------------------------------------------

    def build_companies(self, districts: list[DistrictPlan]) -> list[PropertyCompany]:
        rng = self.rng
        names: set[str] = set()
        brands = COMPANY_BRANDS + [a + b for a, b in product(PLACE_FIRST, "安居和信达顺华泰")]
        forms, weights = zip(*COMPANY_FORMS, strict=True)
        companies = []
        for index in range(self.scale.companies):
            plan = districts[index % len(districts)]
            name = ""
            while not name or name in names:
                brand = brands[index] if index < len(COMPANY_BRANDS) else rng.choice(brands)
                name = rng.choices(forms, weights)[0].format(brand)
                index += len(COMPANY_BRANDS) * 7  # on a clash, fall back to a random brand
            names.add(name)
            contact = self.person(born=(1965, 1992))
            companies.append(
                PropertyCompany(
                    name=name,
                    uscc=self.uscc(plan.area),
                    registered_address=(
                        f"{plan.district.name}{rng.choice(ROAD_NAMES)}{rng.randint(1, 399)}号"
                    ),
                    region=plan.district,
                    region_code=plan.district.code,
                    contact_name=contact.name,
                    contact_phone=self.phone(),
                    has_party_org=rng.random() < 0.35,
                )
            )
        PropertyCompany.objects.bulk_create(companies, batch_size=BATCH_SIZE)
        # Market share is uneven: a few large companies serve many estates.
        for plan in districts:
            plan.companies = [c for c in companies if c.region_id == plan.district.pk]
            plan.company_weights = [1 / (i + 1) ** 0.7 for i in range(len(plan.companies))]
        self.progress(f"{len(companies)} property companies")
        return companies

    def build_developers(self, districts: list[DistrictPlan]) -> list[Owner]:
        rng = self.rng
        developers = []
        names: set[str] = set()
        brands = DEVELOPER_BRANDS + [a + b for a, b in product(PLACE_FIRST, "城邦盛鑫宏")]
        for index in range(self.scale.developers):
            plan = districts[index % len(districts)]
            name = ""
            while not name or name in names:
                brand = brands[index] if index < len(DEVELOPER_BRANDS) else rng.choice(brands)
                name = rng.choice(DEVELOPER_FORMS).format(brand)
                index += len(brands)
            names.add(name)
            # An organisation is identified by its unified social credit code.
            uscc = self.uscc(plan.area)
            developers.append(
                Owner(
                    kind=Owner.Kind.ORGANISATION,
                    name=name,
                    id_number=uscc,
                    id_number_digest=digest(uscc),
                    phone=f"028{rng.randrange(10**8):08d}",
                    is_developer=True,
                )
            )
        Owner.objects.bulk_create(developers, batch_size=BATCH_SIZE)
        return developers

    # -- estates --------------------------------------------------------------------------

    def estate_name(self, plan: DistrictPlan, kind: str, road: str) -> str:
        rng = self.rng
        for attempt in range(40):
            if kind == Estate.Kind.WORK_UNIT:
                name = rng.choice(WORK_UNITS) + rng.choice(WORK_UNIT_SUFFIXES)
            elif kind == Estate.Kind.OLD and rng.random() < 0.3:
                name = f"{road}{rng.randint(1, 199)}号院"
            else:
                suffixes, weights = ESTATE_SUFFIXES[kind]
                name = rng.choice(ESTATE_PREFIXES) + rng.choices(suffixes, weights)[0]
            if attempt >= 20:
                name += rng.choice(["二期", "三期", "东区", "西区", "南区", "北区"])
            if name not in plan.estate_names:
                plan.estate_names.add(name)
                return name
        name = f"{name}{len(plan.estate_names)}"
        plan.estate_names.add(name)
        return name

    def build_estates(self, plan: DistrictPlan, developers: list[Owner]) -> None:
        rng, scale = self.rng, self.scale
        communities = plan.communities
        community_weights = [rng.uniform(0.5, 2.0) for _ in communities]
        kinds, kind_weights = zip(*KIND_WEIGHTS.items(), strict=True)
        started = time.monotonic()
        done_units = 0
        for index in range(scale.estates):
            if index < len(communities):
                community = communities[index]
            else:
                community = rng.choices(communities, community_weights)[0]
            if index == 0 and plan is self.first_plan:
                # The showcase estate of the personas: a company-managed commercial estate.
                kind, mode, built = Estate.Kind.COMMERCIAL, M.PROFESSIONAL, 2008
            else:
                kind = rng.choices(kinds, kind_weights)[0]
                modes = MODE_WEIGHTS[kind]
                mode = rng.choices(list(modes), list(modes.values()))[0]
                built = rng.randint(*BUILT_YEARS[kind])
            done_units += self.build_estate(plan, community, kind, mode, built, developers)
            if len(self.pending.units) >= 20_000 or index == scale.estates - 1:
                self.pending.flush()
                if scale.estates >= 100:
                    rate = done_units / max(time.monotonic() - started, 0.001)
                    self.progress(
                        f"{plan.district.name}: {index + 1}/{scale.estates} estates, "
                        f"{done_units} units ({rate:.0f} units/s)"
                    )

    def build_estate(
        self,
        plan: DistrictPlan,
        community: Region,
        kind: str,
        mode: str,
        built: int,
        developers: list[Owner],
    ) -> int:
        rng = self.rng
        road = rng.choice(plan.roads[community.code])
        cx, cy = plan.centers[community.code]
        name = self.estate_name(plan, kind, road)
        grids = plan.grids[community.code]
        estate = Estate(
            name=name,
            address=f"{plan.district.name}{road}{rng.randint(1, 399)}号",
            longitude=_coordinate(cx + rng.uniform(-0.006, 0.006)),
            latitude=_coordinate(cy + rng.uniform(-0.006, 0.006)),
            kind=kind,
            built_year=built,
            management_mode=mode,
            red_property=rng.random() < 0.55,
            region=community,
            region_code=community.code,
            grid=rng.choice(grids),
        )
        self.pending.estates.append(estate)
        is_new = kind == Estate.Kind.COMMERCIAL and built >= NEW_ESTATE_YEAR
        developer = (
            rng.choice(developers)
            if kind in (Estate.Kind.COMMERCIAL, Estate.Kind.RESETTLEMENT)
            else None
        )
        units, residential = self.build_units(estate, kind, built)
        self.build_ownership(plan, estate, units, residential, kind, built, is_new, developer)
        estate.total_households = sum(1 for u in units if u.kind == Unit.Kind.RESIDENTIAL)
        estate.total_floor_area = sum((u.area for u in units), Decimal("0.00"))
        if kind == Estate.Kind.OLD and rng.random() < 0.3:
            self.build_compounds(estate, road)
        if mode == M.PROFESSIONAL:
            self.build_contracts(plan, estate, built, is_new)
        return len(units)

    def build_units(self, estate: Estate, kind: str, built: int) -> tuple[list[Unit], int]:
        rng = self.rng
        target = max(8, round(self.scale.households * rng.uniform(0.4, 1.6)))
        low_area, high_area = FLAT_AREA[kind]
        units: list[Unit] = []
        residential = 0
        number = 0
        while residential < target:
            number += 1
            floors = self.floors(kind, built)
            high_rise = floors > 7
            entrances = rng.randint(1, 2) if high_rise else rng.randint(1, 3)
            per_floor = rng.randint(2, 4) if high_rise else 2
            # Keep the last building of a small estate from overshooting its size.
            remaining = target - residential
            while floors * entrances * per_floor > remaining * 1.5 and entrances * per_floor > 2:
                if entrances > 1:
                    entrances -= 1
                else:
                    per_floor -= 1
            if floors * entrances * per_floor > remaining * 1.5:
                floors = max(6, -(-remaining // (entrances * per_floor)))
                high_rise = floors > 7
            building = Building(
                estate=estate, number=f"{number}栋", floors=floors, has_lift=high_rise
            )
            self.pending.buildings.append(building)
            layout = [rng.randint(low_area * 100, high_area * 100) for _ in range(per_floor)]
            shops = (
                kind in (Estate.Kind.COMMERCIAL, Estate.Kind.RESETTLEMENT)
                and number <= 2
                and rng.random() < 0.4
            )
            source = rng.choices(
                [Unit.AreaSource.REGISTERED, Unit.AreaSource.SURVEYED, Unit.AreaSource.CONTRACT],
                [70, 22, 8],
            )[0]
            for entrance in range(1, entrances + 1):
                for floor in range(1, floors + 1):
                    for position, cents in enumerate(layout, start=1):
                        shop = shops and floor == 1
                        unit = Unit(
                            estate=estate,
                            building=building,
                            entrance=str(entrance) if entrances > 1 else "",
                            floor=floor,
                            number=f"{floor}{position:02d}",
                            kind=Unit.Kind.COMMERCIAL if shop else Unit.Kind.RESIDENTIAL,
                            area=_decimal(rng.randint(3000, 20000) if shop else cents),
                            area_source=source,
                        )
                        residential += not shop
                        units.append(unit)
        if kind != Estate.Kind.OLD and kind != Estate.Kind.WORK_UNIT and built >= 2003:
            units.extend(
                Unit(
                    estate=estate,
                    floor=-1 if n % 3 else -2,
                    number=f"B{1 if n % 3 else 2}-{n:03d}",
                    kind=Unit.Kind.PARKING,
                    area=_decimal(rng.randint(1150, 3000)),
                    area_source=Unit.AreaSource.SURVEYED,
                )
                for n in range(1, int(residential * rng.uniform(0.3, 0.9)) + 1)
            )
        if rng.random() < 0.3:
            units.extend(
                Unit(
                    estate=estate,
                    floor=-1,
                    number=f"储{n:03d}",
                    kind=Unit.Kind.STORAGE,
                    area=_decimal(rng.randint(400, 1500)),
                    area_source=Unit.AreaSource.REGISTERED,
                )
                for n in range(1, int(residential * rng.uniform(0.05, 0.2)) + 1)
            )
        self.pending.units.extend(units)
        return units, residential

    def floors(self, kind: str, built: int) -> int:
        rng = self.rng
        if kind in (Estate.Kind.OLD, Estate.Kind.WORK_UNIT) or built < 1995:
            return rng.choice([6, 6, 7])
        if kind == Estate.Kind.COMMERCIAL:
            return rng.choice([6, 7, 11, 11, 18, 18, 24, 26, 30, 32, 33])
        if kind == Estate.Kind.RESETTLEMENT:
            return rng.choice([11, 18, 18, 24, 26])
        return rng.choice([18, 24, 26, 30, 33])

    def build_ownership(
        self,
        plan: DistrictPlan,
        estate: Estate,
        units: list[Unit],
        residential: int,
        kind: str,
        built: int,
        is_new: bool,
        developer: Owner | None,
    ) -> None:
        rng, pending, area = self.rng, self.pending, plan.area
        unsold_share = rng.uniform(0.05, 0.3) if is_new else 0.0
        parking_unsold = rng.uniform(0.2, 0.6) if is_new else rng.uniform(0.0, 0.3)
        missing = 0.05 if kind in (Estate.Kind.OLD, Estate.Kind.WORK_UNIT) else 0.01
        first_day = date(max(built + 1, 1998), 1, 1)
        span = max((HISTORY_END - first_day).days, 1)
        occupants: list[Owner] = []  # owners of flats here, who also buy parking and storage

        def own(unit: Unit, owner: Owner, share: str = "1.0000", rep: bool = True) -> None:
            since = first_day + timedelta(days=rng.randrange(span))
            pending.ownerships.append(
                Ownership(
                    unit=unit, owner=owner, share=Decimal(share), is_representative=rep, since=since
                )
            )

        for unit in units:
            if developer is not None and (
                (unit.kind == Unit.Kind.PARKING and rng.random() < parking_unsold)
                or (unit.kind != Unit.Kind.PARKING and rng.random() < unsold_share)
            ):
                unit.delivery = Unit.Delivery.UNSOLD
                unit.area_source = Unit.AreaSource.CONTRACT
                own(unit, developer)
                continue
            if rng.random() < missing:
                continue  # the ledger has gaps: owner not registered yet
            if unit.kind in (Unit.Kind.PARKING, Unit.Kind.STORAGE):
                if occupants and rng.random() < 0.88:
                    own(unit, rng.choice(occupants))
                else:
                    own(unit, self.owner(area)[0])
                continue
            if occupants and rng.random() < 0.04:
                own(unit, rng.choice(occupants))  # a second flat in the same estate
                continue
            owner, person = self.owner(area)
            occupants.append(owner)
            spouse = None
            if rng.random() < 0.18:
                spouse = self.person(
                    gender="f" if person.gender == "m" else "m",
                    born=(max(1940, person.birth.year - 5), min(2000, person.birth.year + 5)),
                )
                co_owner, spouse = self.owner(area, spouse)
                own(unit, owner, "0.5000", True)
                own(unit, co_owner, "0.5000", False)
            else:
                own(unit, owner)
            if unit.kind == Unit.Kind.RESIDENTIAL:
                self.build_residents(unit, person, spouse)

    def build_residents(self, unit: Unit, owner: Person, spouse: Person | None) -> None:
        rng = self.rng
        roll = rng.random()
        if roll < 0.12:
            for _ in range(rng.randint(1, 3)):
                tenant = self.person(born=(1965, 2004))
                self.resident(unit, tenant, Resident.Kind.TENANT, phone=True)
            return
        if roll > 0.8:
            return  # empty or not recorded
        if spouse is None and rng.random() < 0.6:
            partner = self.person(
                gender="f" if owner.gender == "m" else "m",
                born=(max(1940, owner.birth.year - 5), min(2000, owner.birth.year + 5)),
            )
            self.resident(unit, partner, Resident.Kind.FAMILY, phone=True)
        if owner.birth.year >= 1960:
            low = owner.birth.year + 22
            for _ in range(rng.choice([0, 1, 1, 2])):
                child = self.person(born=(low, min(low + 15, 2023)), surname=owner.surname)
                self.resident(unit, child, Resident.Kind.FAMILY, phone=child.birth.year < 2008)
        if rng.random() < 0.08:
            elder = self.person(born=(1935, max(1936, owner.birth.year - 20)))
            self.resident(unit, elder, Resident.Kind.OTHER, phone=False)

    def resident(self, unit: Unit, person: Person, kind: str, *, phone: bool) -> None:
        moved_in = max(person.birth + timedelta(days=365 * 18), date(1998, 1, 1))
        span = max((HISTORY_END - moved_in).days, 1)
        self.pending.residents.append(
            Resident(
                unit=unit,
                name=person.name,
                kind=kind,
                phone=self.phone() if phone else "",
                moved_in=moved_in + timedelta(days=self.rng.randrange(span))
                if moved_in < HISTORY_END
                else None,
            )
        )

    def build_compounds(self, estate: Estate, road: str) -> None:
        rng = self.rng
        count = rng.randint(2, 3)
        first = rng.randint(1, 150)
        total = estate.total_households
        shares = [rng.uniform(0.5, 1.5) for _ in range(count)]
        left = total
        for i in range(count):
            households = left if i == count - 1 else round(total * shares[i] / sum(shares))
            left -= households
            self.pending.compounds.append(
                Compound(estate=estate, name=f"{road}{first + i * 2}号院", households=households)
            )

    def build_contracts(self, plan: DistrictPlan, estate: Estate, built: int, is_new: bool) -> None:
        rng = self.rng
        if plan.companies and rng.random() < 0.85:
            company = rng.choices(plan.companies, plan.company_weights)[0]
        else:
            company = rng.choice(self.all_companies)
        level = self.service_level(estate.kind, built)
        if is_new:
            start = date(built + 1, rng.randint(1, 12), 1)
            self.contract(estate, company, ServiceContract.Kind.PRELIMINARY, start, None, level)
        else:
            start = self.today - timedelta(days=rng.randint(30, 3 * 365))
            years = rng.choice([3, 3, 5])
            end = start + timedelta(days=365 * years)
            self.contract(estate, company, ServiceContract.Kind.SELECTED, start, end, level)
            if rng.random() < 0.4:
                # The contract before: the developer's 前期 contract or an earlier selection.
                previous = rng.choice(self.all_companies)
                before_end = start - timedelta(days=1)
                before_start = before_end - timedelta(days=365 * rng.choice([2, 3, 5]))
                kind = (
                    ServiceContract.Kind.PRELIMINARY
                    if estate.kind == Estate.Kind.COMMERCIAL
                    else ServiceContract.Kind.SELECTED
                )
                self.contract(estate, previous, kind, before_start, before_end, level)
        self.manager_serial += 1
        person = self.person(born=(1965, 1995))
        self.pending.managers.append(
            ProjectManager(
                company=company,
                estate=estate,
                name=person.name,
                phone=self.phone(),
                certificate_no=f"XMJL{plan.area}{self.manager_serial:06d}",
            )
        )

    def service_level(self, kind: str, built: int) -> str:
        rng = self.rng
        if kind == Estate.Kind.COMMERCIAL and built >= 2010:
            return rng.choices("123", [30, 50, 20])[0]
        if kind in (Estate.Kind.OLD, Estate.Kind.WORK_UNIT):
            return rng.choices("345", [20, 50, 30])[0]
        return rng.choices("234", [25, 50, 25])[0]

    def contract(self, estate, company, kind, start, end, level) -> None:
        rng = self.rng
        status = rng.choices(
            [
                ServiceContract.Filing.FILED,
                ServiceContract.Filing.NOT_FILED,
                ServiceContract.Filing.REJECTED,
            ],
            [75, 20, 5],
        )[0]
        filed_on = None
        if status == ServiceContract.Filing.FILED:
            filed_on = min(start + timedelta(days=rng.randint(10, 60)), self.today)
        self.pending.contracts.append(
            ServiceContract(
                company=company,
                estate=estate,
                kind=kind,
                start_date=start,
                end_date=end,
                fee_standard=_decimal(rng.randint(*FEE_FEN[level])),
                service_level=level,
                filing_status=status,
                filed_on=filed_on,
            )
        )

    def build(self) -> Summary:
        """Build everything and the personas inside one transaction."""
        started = time.monotonic()
        with transaction.atomic():
            districts = self.build_regions()
            self.first_plan = districts[0]
            self.all_companies = self.build_companies(districts)
            developers = self.build_developers(districts)
            for plan in districts:
                self.build_estates(plan, developers)
            ensure_personas()
        counted = {
            "regions": Region,
            "grids": Grid,
            "departments": Department,
            "estates": Estate,
            "buildings": Building,
            "units": Unit,
            "owners": Owner,
            "ownerships": Ownership,
            "residents": Resident,
            "companies": PropertyCompany,
            "contracts": ServiceContract,
            "project_managers": ProjectManager,
        }
        counts = {name: model.objects.count() for name, model in counted.items()}
        return Summary(self.scale_name, self.seed, time.monotonic() - started, counts)


@dataclass
class DistrictPlan:
    district: Region
    area: str
    center: tuple[float, float]
    communities: list[Region] = field(default_factory=list)
    grids: dict[str, list[Grid]] = field(default_factory=dict)
    roads: dict[str, list[str]] = field(default_factory=dict)
    centers: dict[str, tuple[float, float]] = field(default_factory=dict)
    companies: list[PropertyCompany] = field(default_factory=list)
    company_weights: list[float] = field(default_factory=list)
    estate_names: set[str] = field(default_factory=set)


# -- personas ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class PersonaSpec:
    username: str
    role: str
    name: str  # the owner persona takes its owner's name instead
    title: str  # "{scope}" is replaced by the scope's name


PERSONAS = [
    PersonaSpec("district_admin", Role.DISTRICT_ADMIN, "王建国", "区住建局物业科科长"),
    PersonaSpec("district_staff", Role.DISTRICT_STAFF, "李敏", "区住建局物业科科员"),
    PersonaSpec("street_officer", Role.STREET_OFFICER, "张伟", "{scope}物业办主任"),
    PersonaSpec("street_b_officer", Role.STREET_OFFICER, "刘洋", "{scope}物业办主任"),
    PersonaSpec("community_worker", Role.COMMUNITY_WORKER, "陈静", "{scope}物业专干"),
    PersonaSpec("grid_worker", Role.GRID_WORKER, "杨帆", "{scope}网格员"),
    PersonaSpec("fire_handler", Role.DEPARTMENT_HANDLER, "赵磊", "{scope}"),
    PersonaSpec("company_manager", Role.COMPANY_MANAGER, "周涛", "{scope}项目总监"),
    PersonaSpec("company_staff", Role.COMPANY_STAFF, "吴婷", "{scope}客服专员"),
    PersonaSpec("committee_member", Role.COMMITTEE_MEMBER, "孙丽", "{scope}业委会委员"),
    PersonaSpec("owner", Role.OWNER, "", ""),
    PersonaSpec("auditor", Role.AUDITOR, "郑洁", "区物业管理工作领导小组办公室"),
]
PERSONA_USERNAMES = [p.username for p in PERSONAS]


def active_contracts(today: date | None = None) -> models.QuerySet:
    today = today or timezone.localdate()
    return ServiceContract.objects.filter(start_date__lte=today).filter(
        Q(end_date__isnull=True) | Q(end_date__gte=today)
    )


def persona_scopes() -> dict[str, tuple[dict[str, models.Model], str]]:
    """Pick each persona's scope from the data: (membership scope, scope name) by username.

    The first district, its first two streets, the first community of street 1 that has an
    estate, that estate's grid, the district's fire brigade, the company with most current
    contracts in street 1, the first company-managed estate of street 1 and, in it, the first
    co-owned flat (its representative owner becomes the owner persona).
    """
    district = Region.objects.filter(level=Region.Level.DISTRICT).order_by("code").first()
    if district is None:
        return {}
    streets = list(district.children.order_by("code")[:2])
    street_a = streets[0]
    street_b = streets[-1]
    first_estate = (
        Estate.objects.filter(region_code__startswith=street_a.code[:9])
        .select_related("region", "grid")
        .order_by("id")
        .first()
    )
    if first_estate is None:
        return {}
    community = first_estate.region
    grid = first_estate.grid or Grid.objects.filter(community=community).order_by("id").first()
    fire = Department.objects.filter(district=district, kind=Department.Kind.FIRE).first()
    contracted = active_contracts().filter(estate__region_code__startswith=street_a.code[:9])
    company_row = (
        contracted.values("company_id").annotate(n=Count("id")).order_by("-n", "company_id").first()
    )
    company = PropertyCompany.objects.get(pk=company_row["company_id"]) if company_row else None
    committee_estate = (
        Estate.objects.filter(
            region_code__startswith=street_a.code[:9],
            management_mode=Estate.ManagementMode.PROFESSIONAL,
        )
        .order_by("id")
        .first()
    ) or first_estate
    persons = Ownership.objects.filter(
        unit__estate=committee_estate,
        unit__kind=Unit.Kind.RESIDENTIAL,
        is_representative=True,
        owner__kind=Owner.Kind.PERSON,
    ).order_by("unit_id")
    co_owned = persons.annotate(n=Count("unit__ownerships")).filter(n__gte=2)
    ownership = co_owned.select_related("owner", "unit__building").first() or (
        persons.select_related("owner", "unit__building").first()
    )
    scopes: dict[str, tuple[dict[str, models.Model], str]] = {
        "district_admin": ({"region": district}, district.name),
        "district_staff": ({"region": district}, district.name),
        "auditor": ({"region": district}, district.name),
        "street_officer": ({"region": street_a}, street_a.name),
        "street_b_officer": ({"region": street_b}, street_b.name),
        "community_worker": ({"region": community}, community.name),
        "committee_member": ({"estate": committee_estate}, committee_estate.name),
    }
    if grid is not None:
        scopes["grid_worker"] = ({"grid": grid}, grid.name)
    if fire is not None:
        scopes["fire_handler"] = ({"department": fire}, fire.name)
    if company is not None:
        scopes["company_manager"] = ({"company": company}, company.name)
        scopes["company_staff"] = ({"company": company}, company.name)
    if ownership is not None:
        unit = ownership.unit
        scopes["owner"] = ({"unit": unit}, f"{committee_estate.name} {unit.label}")
        scopes["owner:name"] = ({}, ownership.owner.name)
    return scopes


def ensure_personas() -> list[User]:
    """Create or refresh the demo logins, one per role, each with one scoped membership."""
    scopes = persona_scopes()
    password = make_password(DEMO_PASSWORD)  # hashed once: Argon2 is slow on purpose
    users = []
    for spec in PERSONAS:
        if spec.username not in scopes:
            continue
        scope, scope_name = scopes[spec.username]
        if spec.role == Role.OWNER:
            display_name = scopes["owner:name"][1]
        else:
            display_name = f"{spec.name}（{spec.title.format(scope=scope_name)}）"
        user, _created = User.objects.update_or_create(
            username=spec.username,
            defaults={"display_name": display_name, "password": password, "is_active": True},
        )
        Membership.objects.filter(user=user).delete()
        Membership.objects.create(user=user, role=spec.role, **scope)
        users.append(user)
    return users


def persona_rows() -> list[tuple[str, str, str, str]]:
    """Return (username, display name, role, scope name) of the demo logins present."""
    rows = []
    users = {u.username: u for u in User.objects.filter(username__in=PERSONA_USERNAMES)}
    memberships = Membership.objects.filter(user__username__in=PERSONA_USERNAMES).select_related(
        "user", "region", "grid", "department", "company", "estate", "unit__estate",
        "unit__building",
    )  # fmt: skip
    by_user = {m.user.username: m for m in memberships}
    for spec in PERSONAS:
        user = users.get(spec.username)
        membership = by_user.get(spec.username)
        if user is None or membership is None:
            continue
        if membership.unit_id:
            scope_name = f"{membership.unit.estate.name} {membership.unit.label}"
        else:
            target = (
                membership.region
                or membership.grid
                or membership.department
                or membership.company
                or membership.estate
            )
            scope_name = str(target)
        rows.append((spec.username, str(user), str(membership.get_role_display()), scope_name))
    return rows


def demo_data_exists() -> bool:
    return Estate.objects.exists()


def flush_demo_data() -> None:
    """Empty the registry tables (and every table referring to them) and drop the personas."""
    tables = [
        model._meta.db_table
        for model in (
            Region, Grid, Department, Estate, Compound, Building, Unit, Owner, Ownership,
            Resident, PropertyCompany, ServiceContract, ProjectManager, Membership,
        )
    ]  # fmt: skip
    # Work orders refer to estates and units; the category tree and matrix stay.
    keep = {"workorders_category", "workorders_responsibilityrule", "workorders_deadlineclass"}
    tables += [
        model._meta.db_table
        for app in ("workorders", "voting")
        for model in apps.get_app_config(app).get_models(include_auto_created=True)
        if model._meta.db_table not in keep
    ]
    statements = connection.ops.sql_flush(
        no_style(), tables, reset_sequences=True, allow_cascade=True
    )
    with transaction.atomic():
        if connection.vendor == "postgresql":
            # TRUNCATE refuses tables with deferred FK checks pending in this transaction.
            with connection.cursor() as cursor:
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        connection.ops.execute_sql_flush(statements)
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET CONSTRAINTS ALL DEFERRED")
    User.objects.filter(username__in=PERSONA_USERNAMES).delete()


def build_demo_data(
    scale: str = "default",
    seed: int = DEFAULT_SEED,
    *,
    today: date | None = None,
    progress: Callable[[str], None] | None = None,
) -> Summary:
    """Build the demo world of this scale from seed, with its personas; return the counts."""
    return DemoBuilder(scale, seed, today=today, progress=progress).build()
