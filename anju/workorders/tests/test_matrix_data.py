"""The seed category tree and responsibility matrix are complete and consistent (no database)."""

import re
from collections import Counter

import pytest

from anju.workorders.matrix_data import CATEGORIES, DEFAULT_BASIS, RULES, UNIT_KINDS

DEADLINE_CLASSES = {"urgent", "timely", "general", "complex"}
ORDER_KINDS = {"complaint", "report", "help", "consult", "suggest"}
ESTATE_KINDS = {"commercial", "old", "resettlement", "affordable", "work_unit"}
BASE_KINDS = {"street", "community", "company", "committee", "developer"}
DEPARTMENTS = {
    "housing",
    "police",
    "fire",
    "market",
    "urban",
    "development",
    "planning",
    "environment",
    "civil",
    "justice",
    "court",
    "economy",
    "health",
    "emergency",
    "other",
}

BY_CODE = {c["code"]: c for c in CATEGORIES}
GROUPS = [c for c in CATEGORIES if c["parent"] is None]
LEAVES = [c for c in CATEGORIES if c["parent"] is not None]
RULE_AT = {(r["category"], r["estate_kind"]): r for r in RULES}

# How the seeds name departments in a basis, and the unit kind each name stands for.
DEPARTMENT_NAMES = {
    "住建": "dept:housing",
    "住房城乡建": "dept:housing",
    "公安": "dept:police",
    "派出所": "dept:police",
    "消防救援": "dept:fire",
    "市场监": "dept:market",
    "城市管理": "dept:urban",
    "综合执法": "dept:urban",
    "城管": "dept:urban",
    "发改": "dept:development",
    "发展改革": "dept:development",
    "自然资源": "dept:planning",
    "生态环境": "dept:environment",
    "民政局": "dept:civil",  # not bare 民政: it occurs in 镇人民政府
    "司法": "dept:justice",
    "法院": "dept:court",
    "经信": "dept:economy",
    "工信": "dept:economy",
    "卫健": "dept:health",
    "卫生健康": "dept:health",
    "应急管理局": "dept:emergency",
    "人社": "dept:other",
    "水务": "dept:other",
    "文化旅游": "dept:other",
}


def units(rule: dict) -> set[str]:
    return {rule["lead"], *rule["co"]}


def match(code: str, estate_kind: str | None) -> dict | None:
    """The module docstring's order: leaf+kind, leaf, group+kind, group."""
    group = BY_CODE[code]["parent"] or code
    for key in ((code, estate_kind), (code, None), (group, estate_kind), (group, None)):
        if key in RULE_AT:
            return RULE_AT[key]
    return None


def test_sizes_match_the_brief():
    assert 10 <= len(GROUPS) <= 14
    assert 40 <= len(LEAVES) <= 70


def test_codes_are_unique_and_well_formed():
    codes = [c["code"] for c in CATEGORIES]
    assert [code for code, n in Counter(codes).items() if n > 1] == []
    for code in codes:
        assert re.fullmatch(r"[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)?", code), code
        assert len(code) <= 64  # Category.code


def test_every_parent_exists_and_the_tree_has_two_levels():
    for c in LEAVES:
        assert c["parent"] in BY_CODE, c["code"]
        assert BY_CODE[c["parent"]]["parent"] is None, c["code"]
        assert c["code"].startswith(c["parent"] + "."), c["code"]
    childless = {g["code"] for g in GROUPS} - {c["parent"] for c in LEAVES}
    assert childless == set()


def test_names_are_chinese_and_fit_the_model():
    for c in CATEGORIES:
        assert re.search(r"[\u4e00-\u9fff]", c["name"]), c["code"]
        assert len(c["name"]) <= 100
    names = [(c["parent"], c["name"]) for c in CATEGORIES]
    assert len(set(names)) == len(names)


def test_deadline_classes_and_kinds_are_valid():
    for c in CATEGORIES:
        assert c["deadline_class"] in DEADLINE_CLASSES, c["code"]
        assert c["kind"] in ORDER_KINDS, c["code"]
    assert {c["deadline_class"] for c in LEAVES} == DEADLINE_CLASSES
    assert {c["kind"] for c in LEAVES} == ORDER_KINDS


def test_lift_entrapment_is_urgent_and_outages_are_timely():
    assert BY_CODE["lift.trapped"]["deadline_class"] == "urgent"
    assert BY_CODE["fire.exit_blocked"]["deadline_class"] == "urgent"
    assert BY_CODE["utility.gas_leak"]["deadline_class"] == "urgent"
    for code in ("utility.water_outage", "utility.power_outage", "utility.gas_outage"):
        assert BY_CODE[code]["deadline_class"] == "timely", code
    assert BY_CODE["utility.heating"]["deadline_class"] == "timely"


def test_the_brief_topics_are_covered():
    names = " ".join(c["name"] for c in CATEGORIES)
    for word in (
        "保洁",
        "保安",
        "绿化",
        "维修",
        "服务态度",
        "物业服务费",
        "停车收费",
        "公共收益",
        "噪声",
        "违法搭建",
        "共有部位",
        "消防通道",
        "消防设施",
        "装修",
        "电梯困人",
        "电梯故障",
        "养犬",
        "乱停乱放",
        "电动自行车",
        "停水",
        "停电",
        "停气",
        "供暖",
        "下水道",
        "路面",
        "公共照明",
        "绿地裸露",
        "维修资金",
        "业委会",
        "退出",
        "房屋质量",
        "交付",
        "业主个人信息",
        "群体性",
        "其他",
    ):
        assert word in names, word


def test_unit_kinds_are_exactly_the_agreed_set():
    assert set(UNIT_KINDS) == BASE_KINDS | {f"dept:{d}" for d in DEPARTMENTS}
    assert all(re.search(r"[\u4e00-\u9fff]", label) for label in UNIT_KINDS.values())


def test_rules_are_well_formed():
    keys = [(r["category"], r["estate_kind"]) for r in RULES]
    assert [k for k, n in Counter(keys).items() if n > 1] == []  # one rule per pair
    for r in RULES:
        where = (r["category"], r["estate_kind"])
        assert set(r) == {"category", "estate_kind", "lead", "co", "basis", "source"}, where
        assert r["category"] in BY_CODE, where
        assert r["estate_kind"] is None or r["estate_kind"] in ESTATE_KINDS, where
        assert r["lead"] in UNIT_KINDS, where
        assert isinstance(r["co"], tuple), where
        assert all(u in UNIT_KINDS for u in r["co"]), where
        assert len(set(r["co"])) == len(r["co"]), where
        assert r["lead"] not in r["co"], where
        assert len(r["lead"]) <= 32  # ResponsibilityRule.lead


def test_every_rule_has_a_basis_and_a_source():
    for r in RULES:
        where = (r["category"], r["estate_kind"])
        assert r["basis"].strip(), where
        assert r["source"].strip(), where
        assert len(r["source"]) <= 100, where  # ResponsibilityRule.source
        if r["source"] == "default":
            assert r["basis"].startswith(DEFAULT_BASIS), where
        else:
            assert re.match(r"S[03]\b", r["source"]), where
            assert set(re.findall(r"S\d", r["source"])) <= {"S0", "S3"}, where
            assert not r["basis"].startswith(DEFAULT_BASIS), where


def test_every_leaf_has_a_general_rule_through_itself_or_its_group():
    for c in LEAVES:
        assert (c["code"], None) in RULE_AT or (c["parent"], None) in RULE_AT, c["code"]
        for kind in (None, *sorted(ESTATE_KINDS)):
            assert match(c["code"], kind) is not None, (c["code"], kind)


def test_every_group_has_a_general_rule_for_new_leaves():
    for g in GROUPS:
        assert (g["code"], None) in RULE_AT, g["code"]


def test_matching_is_most_specific_first():
    # A leaf with its own old-estate rule.
    assert match("service.cleaning", "commercial")["lead"] == "company"
    assert match("service.cleaning", "old")["lead"] == "community"
    # A leaf without rules of its own takes its group's old-estate rule, then the group's.
    assert "service.attitude" not in {r["category"] for r in RULES}
    assert match("service.attitude", "old")["lead"] == "community"
    assert match("service.attitude", "commercial")["lead"] == "company"
    assert match("other.misc", None)["lead"] == "street"
    # Facilities of old estates go to the street.
    assert match("utility.road", "old")["lead"] == "street"


def test_old_estate_rules_never_rely_on_a_property_company():
    old = [r for r in RULES if r["estate_kind"] == "old"]
    assert len(old) >= 5
    for r in old:
        assert "company" not in units(r), r["category"]
        assert r["lead"] in {"street", "community"}, r["category"]
        # The leaf or group also has a general rule, which the old-estate rule refines.
        assert (r["category"], None) in RULE_AT, r["category"]


def test_every_unit_kind_is_used():
    used = set().union(*(units(r) for r in RULES))
    assert used == set(UNIT_KINDS)


@pytest.mark.parametrize(
    ("code", "departments"),
    [
        ("fire.exit_blocked", {"dept:fire", "dept:police"}),
        ("fire.facility", {"dept:fire"}),
        ("fire.hazmat", {"dept:police", "dept:fire"}),
        ("vehicle.ebike_indoor", {"dept:fire"}),
        ("lift.trapped", {"dept:market"}),
        ("lift.fault", {"dept:market"}),
        ("lift.maintenance", {"dept:market"}),
        ("fee.property", {"dept:market", "dept:development"}),
        ("fee.overcharge", {"dept:market"}),
        ("fee.parking", {"dept:market", "dept:development"}),
        ("nuisance.noise_activity", {"dept:police"}),
        ("nuisance.noise_business", {"dept:environment"}),
        ("nuisance.fumes", {"dept:environment"}),
        ("nuisance.pests", {"dept:health"}),
        ("build.illegal", {"dept:urban", "dept:planning"}),
        ("build.common_parts", {"dept:housing"}),
        ("build.passage", {"dept:urban"}),
        ("build.green_land", {"dept:urban"}),
        ("decoration.structure", {"dept:housing"}),
        ("decoration.layout", {"dept:housing"}),
        ("pet.dog_nuisance", {"dept:police", "dept:urban"}),
        ("pet.livestock", {"dept:urban"}),
        ("vehicle.parking_use", {"dept:urban"}),
        ("vehicle.ebike_charging", {"dept:development", "dept:planning"}),
        ("utility.power_outage", {"dept:economy"}),
        ("house.quality", {"dept:housing"}),
        ("house.supporting", {"dept:planning"}),
        ("governance.fund_emergency", {"dept:housing", "dept:market", "dept:police"}),
        ("governance.fund_use", {"dept:housing"}),
        ("governance.handover_exit", {"dept:police"}),
        ("order.info_leak", {"dept:police"}),
        ("order.funeral", {"dept:civil"}),
        ("order.dispute", {"dept:justice"}),
        ("order.group_complaint", {"dept:justice", "dept:court"}),
    ],
)
def test_rules_name_the_departments_the_seeds_give(code, departments):
    rule = RULE_AT[(code, None)]
    assert re.search(r"S[03]", rule["source"]), code
    assert departments <= units(rule), (code, departments - units(rule))


def test_departments_named_in_a_basis_are_lead_or_co():
    """A rule quoting a department's duty must dispatch to that department."""
    for r in RULES:
        named = {kind for word, kind in DEPARTMENT_NAMES.items() if word in r["basis"]}
        missing = named - units(r)
        assert not missing, (r["category"], r["estate_kind"], missing)


def test_fire_exit_and_lift_rules_lead_with_the_right_unit():
    assert RULE_AT[("fire.exit_blocked", None)]["lead"] == "dept:fire"
    assert RULE_AT[("lift.trapped", None)]["lead"] == "company"
    assert RULE_AT[("order.info_leak", None)]["lead"] == "dept:police"
    assert RULE_AT[("governance.committee_formation", None)]["lead"] == "street"


def test_codes_agree_with_the_work_order_models():
    models = pytest.importorskip("anju.workorders.models")
    estates = pytest.importorskip("anju.estates.models")
    assert {c["kind"] for c in CATEGORIES} <= set(models.Kind.values)
    assert set(models.DeadlineClassCode.values) >= DEADLINE_CLASSES
    assert set(estates.Estate.Kind.values) == ESTATE_KINDS
