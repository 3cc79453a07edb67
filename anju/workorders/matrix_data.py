"""Seed data for the complaint category tree and the responsibility matrix.

This is the default dispatch catalogue and responsibility breakdown for property-management
work orders, taken from the seed policy documents in shared/seeds. It is only the seed: a
loader copies it into the Category and ResponsibilityRule tables, and from then on the district
administrator edits the tree and the matrix in the product. Changing this file does not change
a running district. The module is pure data and imports nothing.

Sources:

- S0: a Chongqing district's property-management quality plan (2020) and its responsibility
  table of 12 units. "S0 附件7.3" is item 3 of unit 7 (the district police) of that table;
  "S0 三、(六)2" is a section of the plan's body.
- S3: Xiuwen county (Guizhou) plan to strengthen property-management services (2023), with the
  duties of 17 units. "S3 四、(四)5" is duty 5 (market regulation) of section 四 (四).
- S1 (Quanzhou's ten practical matters and joint enforcement in estates) shaped the leaves.

Every rule quotes or closely paraphrases in "basis" the duty as the seed states it, and says in
"source" where. Where the seeds are silent the rule's source is "default" and its basis starts
with DEFAULT_BASIS (territorial fallback: the most defensible unit was chosen).

Structure:

- CATEGORIES: a two-level tree. "code" is dotted ("fire.exit_blocked" under "fire"); "parent"
  is the group's code or None; "deadline_class" is one of the classes of complaints.md §2.5
  (the directive class follows the channel, not the category); "kind" is the default order type.
- RULES: "category" is a leaf or a group code; "estate_kind" is None (any estate) or an estate
  type; "lead" and "co" are unit kinds (keys of UNIT_KINDS). There is at most one rule per
  (category, estate_kind).
- UNIT_KINDS: unit kind -> label. The kinds "street", "community", "company", "committee" and
  "developer" are resolved per order from the estate (its street, its community, its property
  company, its owners' committee, its developer); "dept:*" kinds are district departments.

Matching, most specific first: for an order of leaf category C in group G, in an estate of
kind K, the first rule that exists among

    1. (C, K)    2. (C, None)    3. (G, K)    4. (G, None)

applies; orders without an estate skip steps 1 and 3. A leaf's general rule therefore beats
its group's estate-kind rule, so where an estate kind changes the lead of a leaf that has its
own rule, the leaf carries its own estate-kind rule too (as the old-estate rules below do).

Old estates: the rules for estate kind "old" assume the common case of an old estate without
a property company (S0 三、(七), S3 四、(三)): day-to-day service matters go to the community
with the street, facility matters to the street. Where a district's old estates have
professional companies, the administrator removes those rules. The other estate kinds follow
the general rules: the seeds give them no different routing.
"""

UNIT_KINDS: dict[str, str] = {
    "street": "街道办事处（乡镇人民政府）",
    "community": "社区（村）居民委员会",
    "company": "物业服务企业",
    "committee": "业主委员会",
    "developer": "建设单位",
    "dept:housing": "住房城乡建设部门",
    "dept:police": "公安机关",
    "dept:fire": "消防救援机构",
    "dept:market": "市场监督管理部门",
    "dept:urban": "城市管理（综合行政执法）部门",
    "dept:development": "发展改革（价格）部门",
    "dept:planning": "规划和自然资源部门",
    "dept:environment": "生态环境部门",
    "dept:civil": "民政部门",
    "dept:justice": "司法行政部门",
    "dept:court": "人民法院",
    "dept:economy": "经济和信息化部门",
    "dept:health": "卫生健康部门",
    "dept:emergency": "应急管理部门",
    "dept:other": "其他部门及供水、供电、供气等专业单位",
}


def _category(code: str, name: str, deadline_class: str, kind: str) -> dict[str, str | None]:
    """One row of CATEGORIES; the parent of "fire.exit_blocked" is "fire"."""
    parent = code.rpartition(".")[0] or None
    return {
        "code": code,
        "parent": parent,
        "name": name,
        "deadline_class": deadline_class,
        "kind": kind,
    }


DEFAULT_BASIS = "种子文件未明确；按属地管理兜底"

# Shared bases of the old-estate rules (old estates often have no property company).
_OLD_ESTATE_SERVICE = (
    "S0 三、(七)：各镇(街)应根据小区实际情况和居民意愿，"
    "建立老旧小区管理长效机制，基本实现“环境卫生、房屋管理及养护、"
    "安保及车辆管理、绿化管理、公共设施管理”规范有序；S3 社区："
    "鼓励有条件的老旧小区逐步引进物业服务，依托社区居（村）委会实行自治管理。"
    "无物业服务企业的老旧小区由社区先行处置，街道统筹。"
)
_OLD_ESTATE_FACILITY = (
    "S0 三、(七)：开展老旧小区专项整治提升，"
    "由各镇(街)建立老旧小区管理长效机制，实现“公共设施管理”规范有序（责任单位："
    "各镇(街)；配合单位：区住房城乡建委）。无物业服务企业的老旧小区，"
    "公共设施问题由街道牵头、社区配合。"
)

CATEGORIES: tuple[dict[str, str | None], ...] = (
    # Property service quality
    _category("service", "物业服务质量", "general", "complaint"),
    _category("service.cleaning", "保洁不到位、生活垃圾清运不及时", "general", "complaint"),
    _category("service.security", "保安值守与秩序维护不到位", "general", "complaint"),
    _category("service.greening", "绿化养护不到位、绿地裸露", "general", "complaint"),
    _category("service.repair", "共用部位和共用设施设备维修不及时", "general", "report"),
    _category("service.attitude", "服务态度差、工作作风问题", "general", "complaint"),
    _category("service.contract", "未按物业服务合同约定提供服务", "general", "complaint"),
    # Fees and public revenue
    _category("fee", "物业收费与公共收益", "general", "complaint"),
    _category("fee.property", "物业服务费收费标准及调价争议", "general", "complaint"),
    _category("fee.overcharge", "乱收费、未明码标价", "general", "complaint"),
    _category("fee.parking", "停车收费", "general", "complaint"),
    _category("fee.public_revenue", "公共收益未公示、分配使用不规范", "complex", "complaint"),
    _category("fee.arrears", "业主拖欠物业服务费", "general", "help"),
    # Noise, fumes and pests
    _category("nuisance", "噪声、油烟及病媒生物扰民", "general", "complaint"),
    _category(
        "nuisance.noise_activity", "集会、娱乐、健身等活动及高音喇叭噪声", "general", "complaint"
    ),
    _category("nuisance.noise_business", "建筑施工及商业经营设备噪声", "general", "complaint"),
    _category("nuisance.noise_decoration", "装修施工噪声扰民", "general", "complaint"),
    _category("nuisance.fumes", "餐饮油烟、异味及周边企业污染", "general", "complaint"),
    _category("nuisance.pests", "蚊蝇鼠蟑等病媒生物孳生", "general", "complaint"),
    # Illegal construction and occupying common space
    _category("build", "违法建设与侵占公共空间", "general", "report"),
    _category("build.illegal", "违法搭建、擅自改变房屋外观", "general", "report"),
    _category("build.common_parts", "擅自占用、改建共有部位和共用设施设备", "general", "report"),
    _category("build.passage", "占用公共场地和通道、乱设摊点广告", "general", "report"),
    _category("build.green_land", "占用绿地、擅自砍伐移植树木", "general", "report"),
    _category("build.planning", "违反规划建设及规划纠纷", "complex", "complaint"),
    # Fire safety
    _category("fire", "消防安全", "timely", "report"),
    _category("fire.exit_blocked", "占用、堵塞消防通道和安全出口", "urgent", "report"),
    _category("fire.facility", "消防设施器材损坏、挪用或停用", "timely", "report"),
    _category("fire.hazmat", "违规存放易燃易爆危险物品", "timely", "report"),
    _category("fire.management", "消防安全管理及演练不到位", "general", "complaint"),
    # Decoration violations
    _category("decoration", "装饰装修管理", "general", "report"),
    _category("decoration.structure", "装修损坏或擅自变动承重结构、主体结构", "timely", "report"),
    _category("decoration.layout", "违规改设卫生间厨房、超负荷存放物品", "general", "report"),
    _category("decoration.management", "装修管理不规范、装修垃圾乱堆", "general", "complaint"),
    # Lifts
    _category("lift", "电梯安全", "timely", "report"),
    _category("lift.trapped", "电梯困人", "urgent", "help"),
    _category("lift.fault", "电梯故障停运、频繁故障", "timely", "report"),
    _category("lift.maintenance", "电梯维保不到位、未办理使用登记", "general", "complaint"),
    # Dogs and other animals
    _category("pet", "饲养动物管理", "general", "complaint"),
    _category("pet.dog_nuisance", "不文明养犬、未登记养犬、犬只粪便", "general", "complaint"),
    _category("pet.dog_attack", "犬只伤人、恶犬威胁", "timely", "help"),
    _category("pet.livestock", "违规饲养家禽家畜", "general", "report"),
    # Parking and e-bikes
    _category("vehicle", "停车与电动自行车管理", "general", "complaint"),
    _category("vehicle.parking_disorder", "车辆乱停乱放、停车秩序混乱", "general", "complaint"),
    _category("vehicle.parking_use", "擅自停用或改变停车场用途", "general", "report"),
    _category("vehicle.ebike_indoor", "电动自行车进楼入户、飞线充电", "timely", "report"),
    _category("vehicle.ebike_charging", "电动自行车停放充电设施不足", "general", "complaint"),
    # Utilities and common facilities
    _category("utility", "水电气暖与公共设施", "timely", "report"),
    _category("utility.water_outage", "停水、二次供水设施故障", "timely", "report"),
    _category("utility.power_outage", "停电", "timely", "report"),
    _category("utility.gas_outage", "停气", "timely", "report"),
    _category("utility.gas_leak", "燃气泄漏", "urgent", "help"),
    _category("utility.heating", "停暖、供暖不热", "timely", "report"),
    _category("utility.drain", "下水道堵塞、化粪池满溢", "timely", "report"),
    _category("utility.road", "小区道路路面破损", "general", "report"),
    _category("utility.lighting", "公共照明缺失、损坏", "general", "report"),
    _category("utility.facilities", "门禁车闸、无障碍及文体设施缺失损坏", "general", "report"),
    # Housing quality, delivery and safety
    _category("house", "房屋质量与交付", "general", "complaint"),
    _category("house.quality", "房屋质量问题（保修期内）", "general", "complaint"),
    _category("house.delivery", "逾期交付、交付标准与约定不符", "complex", "complaint"),
    _category("house.leak", "屋顶漏水、外墙剥落", "timely", "report"),
    _category("house.danger", "房屋安全隐患、危险房屋", "timely", "report"),
    _category("house.supporting", "物业用房、车位等配套未按规划配建", "complex", "complaint"),
    # Owners' committee, maintenance fund, company handover
    _category("governance", "业主自治、维修资金与物业交接", "complex", "complaint"),
    _category("governance.committee_formation", "业主大会、业委会成立与换届", "complex", "help"),
    _category("governance.committee_duty", "业委会不依法履职", "complex", "complaint"),
    _category("governance.fund_emergency", "紧急使用专项维修资金抢修", "timely", "help"),
    _category("governance.fund_use", "专项维修资金申请使用与查询", "complex", "help"),
    _category(
        "governance.handover_exit", "物业服务企业拒不退出、拒不移交资料", "complex", "complaint"
    ),
    _category("governance.handover_takeover", "物业承接查验与项目交接", "complex", "complaint"),
    _category("governance.handover_abandon", "物业服务企业擅自撤离、弃管", "timely", "report"),
    # Public order, personal data and disputes
    _category("order", "治安秩序与矛盾纠纷", "general", "complaint"),
    _category("order.security", "小区治安问题、流动人口管理", "timely", "report"),
    _category("order.gathering", "小区非法聚集、群体性事件", "urgent", "report"),
    _category("order.group_complaint", "多户联名投诉、群体性物业纠纷", "complex", "complaint"),
    _category("order.dispute", "业主与物业服务企业矛盾纠纷", "complex", "help"),
    _category("order.info_leak", "泄露、出售业主个人信息", "general", "complaint"),
    _category("order.funeral", "违规办理丧事活动", "general", "report"),
    _category("order.labour", "物业服务企业劳资纠纷", "general", "complaint"),
    # Other
    _category("other", "其他事项", "general", "complaint"),
    _category("other.policy", "物业管理政策咨询", "general", "consult"),
    _category("other.suggestion", "物业管理意见建议", "general", "suggest"),
    _category("other.misc", "其他物业管理事项", "general", "complaint"),
)

RULES: tuple[dict, ...] = (
    # Property service quality
    {
        "category": "service",
        "estate_kind": None,
        "lead": "company",
        "co": ("street", "dept:housing"),
        "basis": (
            "S0 附件：街道“指导和监督物业服务企业履行法定义务，"
            "对物业服务实施情况开展监督检查”；区住房城乡建委“负责物业服务企业和从业人员"
            "的监督管理，开展物业服务质量监督检查”。"
            "S3 县住建局“负责物业服务企业及从业人员业务指导、培训和监督管理”。"
        ),
        "source": "S0 附件1.3、4.2；S3 四、(四)1",
    },
    {
        "category": "service",
        "estate_kind": "old",
        "lead": "community",
        "co": ("street",),
        "basis": _OLD_ESTATE_SERVICE,
        "source": "S0 三、(七)；S3 四、(三)",
    },
    {
        "category": "service.cleaning",
        "estate_kind": None,
        "lead": "company",
        "co": ("dept:housing", "dept:urban", "street"),
        "basis": (
            "S0 环境卫生管理达标：各物业企业应按照物业服务合同约定，配齐保洁人员，"
            "确保小区全天候干净整洁，确保生活垃圾日产日清（责任单位：区住房城乡建委、"
            "区城市管理局；配合单位：各镇(街)）。S3 县综合执法局负责生活垃圾分类管理的"
            "组织、协调、指导和监督管理。"
        ),
        "source": "S0 三、(一)3；S3 四、(四)2",
    },
    {
        "category": "service.cleaning",
        "estate_kind": "old",
        "lead": "community",
        "co": ("street",),
        "basis": _OLD_ESTATE_SERVICE,
        "source": "S0 三、(七)；S3 四、(三)",
    },
    {
        "category": "service.security",
        "estate_kind": None,
        "lead": "company",
        "co": ("dept:police",),
        "basis": (
            "S0 区公安局“负责本行政区域内保安服务活动的监督管理工作。"
            "受理社会公众对保安从业单位、保安培训单位和保安员的投诉，并反馈查处结果”；"
            "S3 县公安局“加强物业服务企业保安服务的监管和指导，"
            "原则上小区保安必须持有《保安员证》上岗”。"
        ),
        "source": "S0 附件7.4；S3 四、(四)8",
    },
    {
        "category": "service.security",
        "estate_kind": "old",
        "lead": "community",
        "co": ("street",),
        "basis": _OLD_ESTATE_SERVICE,
        "source": "S0 三、(七)；S3 四、(三)",
    },
    {
        "category": "service.greening",
        "estate_kind": None,
        "lead": "company",
        "co": ("dept:housing", "dept:urban", "street"),
        "basis": (
            "S0 绿化美化管理达标：各物业小区应建立小区绿化养护管理制度，绿化达到整齐、"
            "美观、无裸土、无枯枝标准（责任单位：区住房城乡建委、区城市管理局，"
            "配合单位：各镇(街)）。"
        ),
        "source": "S0 三、(一)2",
    },
    {
        "category": "service.greening",
        "estate_kind": "old",
        "lead": "community",
        "co": ("street",),
        "basis": _OLD_ESTATE_SERVICE,
        "source": "S0 三、(七)；S3 四、(三)",
    },
    {
        "category": "service.repair",
        "estate_kind": None,
        "lead": "company",
        "co": ("dept:housing", "street"),
        "basis": (
            "S0 设施设备维护管理达标：各物业小区应开展“拉网式”排查，逐一建立台账，"
            "确保物管用房、照明设施、门禁车闸识别系统等“六有”达标（责任单位："
            "区住房城乡建委；配合单位：各镇(街)）。"
        ),
        "source": "S0 三、(一)1",
    },
    {
        "category": "service.repair",
        "estate_kind": "old",
        "lead": "community",
        "co": ("street",),
        "basis": _OLD_ESTATE_SERVICE,
        "source": "S0 三、(七)；S3 四、(三)",
    },
    {
        "category": "service.contract",
        "estate_kind": None,
        "lead": "company",
        "co": ("street", "committee", "dept:housing"),
        "basis": (
            "S0 街道“指导和监督物业服务企业履行法定义务，"
            "对物业服务实施情况开展监督检查”；区住房城乡建委“开展物业服务质量监督检查”。"
            "S3 业主委员会“监督和协助物业服务企业履行物业服务合同”；乡镇（街道）"
            "“监督业主大会、业主委员会和物业服务企业依法履行职责”。"
        ),
        "source": "S0 附件1.3、4.2；S3 三、(三)、四、(二)",
    },
    # Fees and public revenue
    {
        "category": "fee",
        "estate_kind": None,
        "lead": "dept:market",
        "co": ("dept:development",),
        "basis": (
            "S0 区市场监督管理局“负责物业服务收费的监督检查，"
            "查处乱收费和不按规定明码标价等价格违法行为，并受理价格投诉举报”；"
            "区发改委“加强对物业服务内容、标准和收费项目、标准的监督管理”。"
        ),
        "source": "S0 附件3、5.4",
    },
    {
        "category": "fee.property",
        "estate_kind": None,
        "lead": "dept:market",
        "co": ("dept:development", "company"),
        "basis": (
            "S0 区发改委制定和动态调整前期物业服务政府指导价标准及其浮动幅度，"
            "“加强对物业服务内容、标准和收费项目、标准的监督管理”；"
            "S3 县发改局“制定小区物业费和小区停车收费指导意见”，"
            "县市场监管局“负责物业价格、停车收费投诉举报、受理、查处等监督检查工作”。"
        ),
        "source": "S0 附件3；S3 四、(四)4-5",
    },
    {
        "category": "fee.overcharge",
        "estate_kind": None,
        "lead": "dept:market",
        "co": (),
        "basis": (
            "S0 区市场监督管理局“负责监督检查物业管理区域内……物业服务价格公示等”，"
            "“查处乱收费和不按规定明码标价等价格违法行为，并受理价格投诉举报”。"
        ),
        "source": "S0 附件5.1、5.4",
    },
    {
        "category": "fee.parking",
        "estate_kind": None,
        "lead": "dept:market",
        "co": ("dept:development", "company"),
        "basis": (
            "S3 县发改局“掌握县内物业小区停车费和物业费的收费标准，"
            "制定小区物业费和小区停车收费指导意见”；县市场监管局“负责物业价格、"
            "停车收费投诉举报、受理、查处等监督检查工作”。"
        ),
        "source": "S3 四、(四)4-5",
    },
    {
        "category": "fee.public_revenue",
        "estate_kind": None,
        "lead": "street",
        "co": ("company", "committee", "dept:housing"),
        "basis": (
            "S0 规范管理小区公共收益：未成立业主大会的小区，"
            "由镇(街)监督物业服务企业将公共收益的业主部分存入物业专项维修资金账户；"
            "已成立业主大会的小区，由业主大会决定分成比例、管理模式、使用方式，"
            "物业服务企业定期公示公共收益收支情况（责任单位：各镇(街)）。"
            "信息公开规范化由区住房城乡建委负责。"
        ),
        "source": "S0 三、(六)1、三、(二)3",
    },
    {
        "category": "fee.arrears",
        "estate_kind": None,
        "lead": "committee",
        "co": ("community", "company"),
        "basis": (
            "S3 业主委员会督促业主遵守管理规约，“对多次催缴仍拖欠物业费的业主，"
            "可根据管理规约规定的相应措施进行催缴”，配合属地村（居）居委会工作；"
            "对无正当理由长期不交物业服务费的业主，物业服务企业可通过法律途径进行追缴。"
        ),
        "source": "S3 三、(三)、五、(四)",
    },
    # Noise, fumes and pests
    {
        "category": "nuisance",
        "estate_kind": None,
        "lead": "dept:police",
        "co": ("community",),
        "basis": (
            "S0 区公安局“依法查处集会、聚会、娱乐、健身、悼念、饲养动物等活动噪声扰民的行为”。"
        ),
        "source": "S0 附件7.2",
    },
    {
        "category": "nuisance.noise_activity",
        "estate_kind": None,
        "lead": "dept:police",
        "co": ("community", "company"),
        "basis": (
            "S0 区公安局“依法查处集会、聚会、娱乐、健身、悼念、"
            "饲养动物等活动噪声扰民的行为，查处在噪声敏感建筑物集中区域使用高音喇叭或者"
            "其他高音响器材噪声扰民的行为”。"
        ),
        "source": "S0 附件7.2",
    },
    {
        "category": "nuisance.noise_business",
        "estate_kind": None,
        "lead": "dept:environment",
        "co": (),
        "basis": (
            "S0 区生态环境局“对工业噪声、建筑施工噪声以及在商业、餐饮、"
            "文化娱乐等经营活动中使用固定设备产生的噪声实施监督管理”。"
        ),
        "source": "S0 附件9.1",
    },
    {
        "category": "nuisance.noise_decoration",
        "estate_kind": None,
        "lead": "company",
        "co": ("community",),
        "basis": DEFAULT_BASIS + "：由物业服务企业依装饰装修管理服务协议和管理规约劝阻，社区协调。",
        "source": "default",
    },
    {
        "category": "nuisance.fumes",
        "estate_kind": None,
        "lead": "dept:environment",
        "co": (),
        "basis": (
            "S0 区生态环境局依法查处在居民住宅楼等新建、改建、扩建产生油烟、异味、"
            "废气的餐饮服务等项目的违法行为，依法处理因未安装、"
            "不正常使用净化设施引发的排放油烟、异味、废气的扰民投诉；"
            "S3 市生态环境局修文分局“做好物业小区周边工业企业污染防治监督工作”。"
        ),
        "source": "S0 附件9.2-9.3；S3 四、(四)13",
    },
    {
        "category": "nuisance.pests",
        "estate_kind": None,
        "lead": "company",
        "co": ("dept:health",),
        "basis": (
            "S3 县卫健局“负责对疫情防控、健康教育栏、病媒生物防制等设施的设置指导”；"
            "病媒生物防制日常工作由物业服务企业落实。"
        ),
        "source": "S3 四、(四)12",
    },
    # Illegal construction and occupying common space
    {
        "category": "build",
        "estate_kind": None,
        "lead": "street",
        "co": ("community", "dept:urban"),
        "basis": (
            "S0 街道“及时制止修建违法建筑行为，对已建成的违法建筑，"
            "依法实施强制拆除或者回填”；村(居)民委员会“及时发现、劝阻、"
            "举报本区域内修建违法建筑的行为，并配合查处”。"
            "S3 县综合执法局负责对违法建筑、占用公共场地（通道）等违法行为予以查处。"
        ),
        "source": "S0 附件1.9、2.3；S3 四、(四)2",
    },
    {
        "category": "build.illegal",
        "estate_kind": None,
        "lead": "street",
        "co": ("community", "dept:urban", "dept:planning"),
        "basis": (
            "S0 街道“及时制止修建违法建筑行为，对已建成的违法建筑，"
            "依法实施强制拆除或者回填”；村(居)民委员会及时发现、劝阻、举报并配合查处；"
            "区城市管理局“查处占用地上或者地下空间违法修建建筑物、"
            "构筑物及破坏或擅自改变房屋外观的行为”。S3 县综合执法局查处违法建筑，"
            "县自然资源局“对物业管理区域内的违章搭建进行认定移交处置”。"
        ),
        "source": "S0 附件1.9、2.3、10.7；S3 四、(四)2-3",
    },
    {
        "category": "build.common_parts",
        "estate_kind": None,
        "lead": "dept:housing",
        "co": ("company", "street"),
        "basis": (
            "S0 区住房城乡建委“依法查处……损坏或者擅自占用、改建物业共有部位、共有设施设备的行为”。"
        ),
        "source": "S0 附件4.6",
    },
    {
        "category": "build.passage",
        "estate_kind": None,
        "lead": "dept:urban",
        "co": ("company",),
        "basis": (
            "S3 县综合执法局“负责对城镇范围内违法建筑、占用公共场地（通道）、乱设摊点、"
            "乱设墙体（户外）广告等的违法行为予以查处；建立投诉响应机制，"
            "在接到投诉后及时安排工作人员到现场进行调查和处理”。"
        ),
        "source": "S3 四、(四)2",
    },
    {
        "category": "build.green_land",
        "estate_kind": None,
        "lead": "dept:urban",
        "co": ("company",),
        "basis": (
            "S0 区城市管理局“负责对物业管理区域内擅自占用居住区绿地，或者擅自移植、"
            "砍伐小区内树木行为的查处”，“依法查处践踏和损坏草地、花卉、树木的行为”。"
        ),
        "source": "S0 附件10.1、10.3",
    },
    {
        "category": "build.planning",
        "estate_kind": None,
        "lead": "dept:planning",
        "co": ("dept:urban",),
        "basis": (
            "S0 区城市管理局“负责查处物业管理区域内违反规划管理进行建设的违法行为”；"
            "S3 县自然资源局“配合解决小区内因规划问题引起的纠纷”，开展规划方案审查、"
            "审批及批后规划的后续管理工作。"
        ),
        "source": "S0 附件10.8；S3 四、(四)3",
    },
    # Fire safety
    {
        "category": "fire",
        "estate_kind": None,
        "lead": "dept:fire",
        "co": ("company",),
        "basis": (
            "S3 县消防救援大队“指导物业服务企业做好物业管理区域内的消防安全管理工作”，"
            "指导整改火灾隐患，“查处物业服务企业消防违法行为”。"
        ),
        "source": "S3 四、(四)7",
    },
    {
        "category": "fire.exit_blocked",
        "estate_kind": None,
        "lead": "dept:fire",
        "co": ("dept:police", "dept:urban", "company"),
        "basis": (
            "S0 区消防救援支队会同公安机关治安部门、"
            "辖区公安派出所开展物业管理区域内的消防安全检查，对“占用、堵塞、"
            "封闭疏散通道、安全出口、消防车通道等违法行为进行查处”；"
            "S3 县消防救援大队“联合县综合执法局、县公安局查处……占用、堵塞、"
            "封闭疏散通道、安全出口、消防车道等消防安全违法行为”。"
        ),
        "source": "S0 附件7.6、12；S3 四、(四)7",
    },
    {
        "category": "fire.facility",
        "estate_kind": None,
        "lead": "dept:fire",
        "co": ("dept:police", "company", "dept:housing"),
        "basis": (
            "S0 区消防救援支队会同公安机关对“损坏、挪用或者擅自拆除、停用消防设施、"
            "器材”等违法行为进行查处；S3 县消防救援大队“指导和监督物业服务企业聘请专业"
            "人员对管理区域内的公共消防设施进行维护管理”，"
            "县住建局“监督物业服务企业对服务区域内各类民用基础设施及消防设施进行保护”。"
        ),
        "source": "S0 附件7.6、12；S3 四、(四)1、7",
    },
    {
        "category": "fire.hazmat",
        "estate_kind": None,
        "lead": "dept:police",
        "co": ("dept:fire", "company"),
        "basis": (
            "S0 区公安局负责对小区内违反国家规定制造、买卖、储存、使用、提供、"
            "处置爆炸性、危害性等危险物质的行为进行查处；"
            "S3 县消防救援大队“配合县公安局对物业管理区域内堆放易燃易爆物品行为进行处"
            "罚”。"
        ),
        "source": "S0 附件7.1；S3 四、(四)7",
    },
    {
        "category": "fire.management",
        "estate_kind": None,
        "lead": "company",
        "co": ("dept:fire", "street", "dept:emergency"),
        "basis": (
            "S3 县消防救援大队“指导物业小区管理单位制定消防演练及消防应急预案”；"
            "乡镇（街道）“督促物业、业主、使用人等落实消防及特种设备安全责任”；"
            "县应急管理局指导、协调、监督负有行业安全管理职责的部门加强对物业企业安全防"
            "范和管理。"
        ),
        "source": "S3 四、(二)、(四)6-7",
    },
    # Decoration violations
    {
        "category": "decoration",
        "estate_kind": None,
        "lead": "dept:housing",
        "co": ("company", "street"),
        "basis": (
            "S0 区住房城乡建委“依法查处损坏或者擅自变动房屋承重结构、主体结构”"
            "以及擅自改变房间用途、存放超负荷物品等装修违法行为；"
            "街道具体承担房屋使用安全隐患排查、督促房屋隐患整改。"
        ),
        "source": "S0 附件1.9、4.6",
    },
    {
        "category": "decoration.structure",
        "estate_kind": None,
        "lead": "dept:housing",
        "co": ("company", "street"),
        "basis": (
            "S0 区住房城乡建委“依法查处损坏或者擅自变动房屋承重结构、主体结构”的行为；"
            "街道“具体承担本行政区域内房屋使用安全隐患排查、"
            "督促房屋隐患整改……等监督管理工作”。"
        ),
        "source": "S0 附件1.9、4.6",
    },
    {
        "category": "decoration.layout",
        "estate_kind": None,
        "lead": "dept:housing",
        "co": ("company",),
        "basis": (
            "S0 区住房城乡建委依法查处“将无防水要求的房间或者阳台改为卫生间、厨房，"
            "或者将卫生间、厨房改在下层住户的卧室、起居室(厅)、书房的上方；存放、"
            "铺设超负荷物品”的行为。"
        ),
        "source": "S0 附件4.6",
    },
    {
        "category": "decoration.management",
        "estate_kind": None,
        "lead": "company",
        "co": ("community",),
        "basis": DEFAULT_BASIS + "：由物业服务企业依装饰装修管理服务协议管理，社区协调。",
        "source": "default",
    },
    # Lifts
    {
        "category": "lift",
        "estate_kind": None,
        "lead": "company",
        "co": ("dept:market",),
        "basis": (
            "S0 区市场监督管理局“负责本行政区域内的电梯安全监督管理；"
            "建立电梯投诉举报制度……依法受理投诉举报，并及时予以处理”；"
            "S3 县市场监管局对小区电梯使用管理单位和维保单位实施监督检查。"
        ),
        "source": "S0 附件5.2；S3 四、(四)5",
    },
    {
        "category": "lift.trapped",
        "estate_kind": None,
        "lead": "company",
        "co": ("dept:market", "street"),
        "basis": (
            "S3 县市场监管局督促电梯使用管理单位和维保单位“做好特种设备的使用登记、"
            "维护保养”；乡镇（街道）“督促物业、业主、"
            "使用人等落实消防及特种设备安全责任”；S0 街道“组织提供小区应急管理”，"
            "区市场监督管理局负责电梯安全监督管理。物业服务企业（使用管理单位）"
            "立即组织维保单位救援。"
        ),
        "source": "S0 附件1.7、5.2；S3 四、(二)、(四)5",
    },
    {
        "category": "lift.fault",
        "estate_kind": None,
        "lead": "company",
        "co": ("dept:market",),
        "basis": (
            "S0 区市场监督管理局“负责本行政区域内的电梯安全监督管理；"
            "建立电梯投诉举报制度……依法受理投诉举报，并及时予以处理”；S3 乡镇（街道）"
            "“督促物业企业做好特种设备的投入、更新等工作”。"
        ),
        "source": "S0 附件5.2；S3 四、(二)",
    },
    {
        "category": "lift.maintenance",
        "estate_kind": None,
        "lead": "dept:market",
        "co": ("company", "street"),
        "basis": (
            "S0 区市场监督管理局“负责监督检查物业管理区域内电梯等特种设备”；"
            "S3 县市场监管局“依法对小区电梯等特种设备使用管理单位和电梯维保单位实施监督"
            "检查，督促使用管理单位和维保单位做好特种设备的使用登记、维护保养、"
            "作业人员持证上岗等工作”；乡镇（街道）“督促物业企业做好特种设备的投入、"
            "更新等工作”。"
        ),
        "source": "S0 附件5.1-5.2；S3 四、(二)、(四)5",
    },
    # Dogs and other animals
    {
        "category": "pet",
        "estate_kind": None,
        "lead": "dept:police",
        "co": ("community",),
        "basis": (
            "S0 区公安局“依法实施养犬登记……受理有关养犬的投诉，及时调处治安纠纷，"
            "查处违反相关法律法规规定的养犬行为”。"
        ),
        "source": "S0 附件7.3",
    },
    {
        "category": "pet.dog_nuisance",
        "estate_kind": None,
        "lead": "dept:police",
        "co": ("company", "dept:urban"),
        "basis": (
            "S0 区公安局“依法实施养犬登记，对养犬人遵守登记制度的情况进行监督检查。"
            "受理有关养犬的投诉……查处违反相关法律法规规定的养犬行为”；"
            "S3 县公安局对不文明养犬依法处罚，县综合执法局“负责对犬只外出排泄的违法行为"
            "进行查处”。"
        ),
        "source": "S0 附件7.2-7.3；S3 四、(四)2、8",
    },
    {
        "category": "pet.dog_attack",
        "estate_kind": None,
        "lead": "dept:police",
        "co": ("company",),
        "basis": (
            "S0 区公安局“受理有关养犬的投诉，及时调处治安纠纷，"
            "查处违反相关法律法规规定的养犬行为”。"
        ),
        "source": "S0 附件7.3",
    },
    {
        "category": "pet.livestock",
        "estate_kind": None,
        "lead": "dept:urban",
        "co": ("community",),
        "basis": (
            "S0 区城市管理局“对在畜禽禁养区内养殖家畜家禽，"
            "或者在畜禽限养区内违规养殖畜禽的行为进行查处”。"
        ),
        "source": "S0 附件10.2",
    },
    # Parking and e-bikes
    {
        "category": "vehicle",
        "estate_kind": None,
        "lead": "company",
        "co": ("dept:police",),
        "basis": "S0 区公安局“负责对物业管理区域内的治安、交通安全的监督检查”。",
        "source": "S0 附件7.1",
    },
    {
        "category": "vehicle.parking_disorder",
        "estate_kind": None,
        "lead": "company",
        "co": ("dept:police",),
        "basis": (
            "S0 区公安局“负责对物业管理区域内的治安、交通安全的监督检查”；"
            "停车秩序日常管理由物业服务企业负责。"
        ),
        "source": "S0 附件7.1",
    },
    {
        "category": "vehicle.parking_disorder",
        "estate_kind": "old",
        "lead": "community",
        "co": ("street",),
        "basis": _OLD_ESTATE_SERVICE,
        "source": "S0 三、(七)；S3 四、(三)",
    },
    {
        "category": "vehicle.parking_use",
        "estate_kind": None,
        "lead": "dept:urban",
        "co": ("company",),
        "basis": (
            "S0 区城市管理局“依法查处擅自停止使用或者改变公共停车场和建筑物配建停车场用途的行为”。"
        ),
        "source": "S0 附件10.6",
    },
    {
        "category": "vehicle.ebike_indoor",
        "estate_kind": None,
        "lead": "company",
        "co": ("dept:fire", "dept:police", "community"),
        "basis": (
            "电动自行车进楼入户、楼道停放充电属占用疏散通道和消防安全隐患。"
            "S0 公安派出所负责日常消防监督检查，区消防救援支队对“占用、堵塞、"
            "封闭疏散通道、安全出口”等违法行为进行查处；"
            "S3 县消防救援大队“指导物业服务企业做好物业管理区域内的消防安全管理工作”。"
        ),
        "source": "S0 附件7.6、12；S3 四、(四)7",
    },
    {
        "category": "vehicle.ebike_charging",
        "estate_kind": None,
        "lead": "company",
        "co": ("dept:development", "dept:planning", "street"),
        "basis": (
            "S3 县发改局“负责统筹指导小区开展充电桩的安装建设”；"
            "县自然资源局将新建小区“充电设施车位比例不低于10%等公共配套纳入挂牌出让条"
            "件”。"
        ),
        "source": "S3 四、(四)3-4",
    },
    # Utilities and common facilities
    {
        "category": "utility",
        "estate_kind": None,
        "lead": "company",
        "co": ("dept:housing", "dept:other"),
        "basis": (
            "S3 县住建局“负责督促物业服务企业配合供水、供电、供气、通信、"
            "有线电视等单位开展相关管线和设施的维修、养护和建设等工作”；县供水、供电、"
            "供气等单位接收经验收合格的专业经营设施设备，“对相关设施设备进行维修、"
            "养护和更新”。"
        ),
        "source": "S3 四、(四)1、16",
    },
    {
        "category": "utility.water_outage",
        "estate_kind": None,
        "lead": "company",
        "co": ("dept:other", "dept:urban"),
        "basis": (
            "S0 区城市管理局“负责二次供水的行政管理工作”，督促专业单位接收供水、"
            "二次供水设施设备；S3 县水务局督促和指导物业服务企业做好供水设施设备的养"
            "护，县供水等单位对接收的设施设备“进行维修、养护和更新”。"
        ),
        "source": "S0 附件10.4、10.9；S3 四、(四)11、16",
    },
    {
        "category": "utility.power_outage",
        "estate_kind": None,
        "lead": "company",
        "co": ("dept:other", "dept:economy"),
        "basis": (
            "S0 区经信委负责督促专业单位接收新建住宅物业区域内的供电、供气、"
            "通信等专业经营设施设备，并“依法承担物业管理区域内分户终端计量装置或者入户"
            "端口以外相关管线和设施设备的维修、养护、更新的责任”；"
            "S3 县供电等单位对接收的设施设备进行维修、养护和更新。"
        ),
        "source": "S0 附件11；S3 四、(四)16",
    },
    {
        "category": "utility.gas_outage",
        "estate_kind": None,
        "lead": "company",
        "co": ("dept:other", "dept:economy"),
        "basis": (
            "S0 区经信委负责督促专业单位接收新建住宅物业区域内的供电、供气、"
            "通信等专业经营设施设备，并承担入户端口以外相关管线和设施设备的维修、养护、"
            "更新的责任；S3 县供气等单位对接收的设施设备进行维修、养护和更新。"
        ),
        "source": "S0 附件11；S3 四、(四)16",
    },
    {
        "category": "utility.gas_leak",
        "estate_kind": None,
        "lead": "dept:other",
        "co": ("company", "street", "dept:fire"),
        "basis": (
            "S3 县供气等单位接收供气设施设备，“对相关设施设备进行维修、养护和更新”；"
            "S0 街道“组织提供小区应急管理”。险情同时通报消防救援机构（种子文件未明确，"
            "按应急处置惯例）。"
        ),
        "source": "S0 附件1.7；S3 四、(四)16",
    },
    {
        "category": "utility.heating",
        "estate_kind": None,
        "lead": "company",
        "co": ("dept:other",),
        "basis": DEFAULT_BASIS
        + (
            "（两份种子所在地区无集中供暖）：由物业服务企业先行排查，涉及供热管网的转供热单位处理。"
        ),
        "source": "default",
    },
    {
        "category": "utility.drain",
        "estate_kind": None,
        "lead": "company",
        "co": ("dept:housing", "dept:urban", "street"),
        "basis": (
            "S0 环境卫生管理达标：“确保化粪池不堵塞、不满溢”（责任单位："
            "区住房城乡建委、区城市管理局；配合单位：各镇(街)）；S0 设施设备“六有”"
            "含化粪池泄压报警系统。"
        ),
        "source": "S0 三、(一)1、3",
    },
    {
        "category": "utility.drain",
        "estate_kind": "old",
        "lead": "street",
        "co": ("community", "dept:housing"),
        "basis": _OLD_ESTATE_FACILITY,
        "source": "S0 三、(七)",
    },
    {
        "category": "utility.road",
        "estate_kind": None,
        "lead": "company",
        "co": ("dept:housing", "street"),
        "basis": (
            "S0 设施设备维护管理达标：各物业小区开展“拉网式”排查，逐一建立台账，"
            "做好设施设备维护管理（责任单位：区住房城乡建委；配合单位：各镇(街)）。"
        ),
        "source": "S0 三、(一)1",
    },
    {
        "category": "utility.road",
        "estate_kind": "old",
        "lead": "street",
        "co": ("community", "dept:housing"),
        "basis": _OLD_ESTATE_FACILITY,
        "source": "S0 三、(七)",
    },
    {
        "category": "utility.lighting",
        "estate_kind": None,
        "lead": "company",
        "co": ("dept:housing", "street"),
        "basis": (
            "S0 设施设备维护管理达标：确保物管用房、照明设施等“六有”达标（责任单位："
            "区住房城乡建委；配合单位：各镇(街)）。"
        ),
        "source": "S0 三、(一)1",
    },
    {
        "category": "utility.lighting",
        "estate_kind": "old",
        "lead": "street",
        "co": ("community", "dept:housing"),
        "basis": _OLD_ESTATE_FACILITY,
        "source": "S0 三、(七)",
    },
    {
        "category": "utility.facilities",
        "estate_kind": None,
        "lead": "company",
        "co": ("dept:housing", "street", "dept:other"),
        "basis": (
            "S0 设施设备维护管理达标：确保门禁车闸识别系统、应急发电系统等“六有”达标；"
            "全面开展无障碍设施增设、改造工作；丰富文体设施、儿童游乐设施、"
            "老年人活动场所（责任单位：区住房城乡建委，配合单位：区文化旅游委、"
            "各镇(街)）。"
        ),
        "source": "S0 三、(一)1",
    },
    {
        "category": "utility.facilities",
        "estate_kind": "old",
        "lead": "street",
        "co": ("community", "dept:housing"),
        "basis": _OLD_ESTATE_FACILITY,
        "source": "S0 三、(七)",
    },
    # Housing quality, delivery and safety
    {
        "category": "house",
        "estate_kind": None,
        "lead": "developer",
        "co": ("dept:housing",),
        "basis": "S0 区住房城乡建委“负责本行政区域内房屋建筑工程质量保修的监督管理”。",
        "source": "S0 附件4.7",
    },
    {
        "category": "house.quality",
        "estate_kind": None,
        "lead": "developer",
        "co": ("dept:housing",),
        "basis": (
            "S0 区住房城乡建委“负责本行政区域内房屋建筑工程质量保修的监督管理”；"
            "保修期内质量问题由建设单位承担保修责任。"
        ),
        "source": "S0 附件4.7",
    },
    {
        "category": "house.delivery",
        "estate_kind": None,
        "lead": "developer",
        "co": ("dept:housing",),
        "basis": DEFAULT_BASIS + "：交付问题由建设单位答复整改，住建部门监督。",
        "source": "default",
    },
    {
        "category": "house.leak",
        "estate_kind": None,
        "lead": "company",
        "co": ("street", "developer"),
        "basis": (
            "S3 乡镇（街道）“督促物业企业做好修缮屋顶漏水、墙面剥落等房屋质量工作”；"
            "保修期内由建设单位承担保修责任；严重漏水可申请紧急使用专项维修资金（S0 "
            "三、(六)2）。"
        ),
        "source": "S3 四、(二)；S0 三、(六)2",
    },
    {
        "category": "house.leak",
        "estate_kind": "old",
        "lead": "street",
        "co": ("community", "dept:housing"),
        "basis": (
            "S0 三、(七)：由各镇(街)建立老旧小区管理长效机制，实现“房屋管理及养护”"
            "规范有序（责任单位：各镇(街)；配合单位：区住房城乡建委）；S3 乡镇（街道）"
            "督促修缮屋顶漏水、墙面剥落。"
        ),
        "source": "S0 三、(七)；S3 四、(二)",
    },
    {
        "category": "house.danger",
        "estate_kind": None,
        "lead": "street",
        "co": ("community", "dept:housing"),
        "basis": (
            "S0 街道“具体承担本行政区域内房屋使用安全隐患排查、督促房屋隐患整改、"
            "设立危险房屋警示标志、房屋安全应急管理等监督管理工作”。"
        ),
        "source": "S0 附件1.9",
    },
    {
        "category": "house.supporting",
        "estate_kind": None,
        "lead": "dept:planning",
        "co": ("developer",),
        "basis": (
            "S0 区规划和自然资源局“按建设规模按比例和楼层合理规划社区用房，物业用房等，"
            "并在规划许可、竣工验收过程中，应当对物业服务用房建筑面积、"
            "位置等进行审查验收”；S3 县自然资源局将物业用房、停车位、环卫设施、"
            "充电设施车位等公共配套纳入挂牌出让条件并开展批后管理。"
        ),
        "source": "S0 附件6.2；S3 四、(四)3",
    },
    # Owners' committee, maintenance fund, company handover
    {
        "category": "governance",
        "estate_kind": None,
        "lead": "street",
        "co": ("community", "dept:housing"),
        "basis": (
            "S0 街道“负责组织召集物业管理联席会议，协调解决物业服务企业在退出和交接、"
            "履行物业合同、业委会不依法履职等问题和其他小区矛盾纠纷”；"
            "区住房城乡建委“指导和监督街道办事处、镇人民政府依法开展物业管理相关工作”。"
        ),
        "source": "S0 附件1.6、4.3",
    },
    {
        "category": "governance.committee_formation",
        "estate_kind": None,
        "lead": "street",
        "co": ("community", "dept:housing"),
        "basis": (
            "S0 各镇(街)“依法制定操作性强的业主委员会组建（换届）实施方案，"
            "组织开展好筹备、选举、备案等工作”；S3 乡镇（街道）"
            "“受理业主关于请求依法选举和重新选举业主委员会的合理诉求”，村（居）"
            "“组织指导业主大会、业主委员会的成立和换届”，"
            "县住建局负责业主委员会备案并配合指导成立和换届。"
        ),
        "source": "S0 三、(五)、附件1.2；S3 四、(二)-(四)1",
    },
    {
        "category": "governance.committee_duty",
        "estate_kind": None,
        "lead": "street",
        "co": ("community",),
        "basis": (
            "S0 街道“监督业委会履职情况”，协调解决“业委会不依法履职等问题”；"
            "S3 乡镇（街道）“监督业主大会、业主委员会和物业服务企业依法履行职责”，"
            "对考评不合格的业主委员会进行通报批评，"
            "对拒不整改的组织业主大会进行成员变更。"
        ),
        "source": "S0 附件1.6、1.8；S3 四、(二)",
    },
    {
        "category": "governance.fund_emergency",
        "estate_kind": None,
        "lead": "street",
        "co": ("dept:housing", "dept:market", "dept:police", "company"),
        "basis": (
            "S0 小区发生屋顶严重漏水、二次供水加压设备损坏等公共安全紧急情况时，"
            "业主委员会或物业服务企业应立即向属地镇(街)和相关部门报告，镇(街)组织抢修，"
            "区住房城乡建委启动紧急程序拨付物业专项维修资金（责任单位：各镇(街)，"
            "配合单位：区住房城乡建委、区市场监管局、辖区派出所）；"
            "紧急维修电梯的由区市场监督管理局核实审核。"
        ),
        "source": "S0 三、(六)2、附件5.3",
    },
    {
        "category": "governance.fund_use",
        "estate_kind": None,
        "lead": "street",
        "co": ("dept:housing",),
        "basis": (
            "S0 申请使用物业专项维修资金10万元以上的，须经专业机构评审，"
            "区住房城乡建委按程序划转资金（责任单位：各镇(街)，配合单位："
            "区住房城乡建委）；街道“监督物业专项维修资金使用管理”。"
            "S3 县住建局“负责住宅专项维修资金的交存、使用和管理”。"
        ),
        "source": "S0 三、(六)3、附件1.10；S3 四、(四)1",
    },
    {
        "category": "governance.handover_exit",
        "estate_kind": None,
        "lead": "street",
        "co": ("dept:police", "dept:housing", "committee"),
        "basis": (
            "S0 街道协调解决“物业服务企业在退出和交接”等问题；"
            "区公安局“负责查处建设单位、物业服务企业、业主委员会……不及时移交相关资料、"
            "印章和财务，或者不按照约定退出物业管理区域，违反治安管理规定的行为”；"
            "区住房城乡建委指导和监督街道调处物业管理矛盾纠纷。"
        ),
        "source": "S0 附件1.6、4.3、7.5",
    },
    {
        "category": "governance.handover_takeover",
        "estate_kind": None,
        "lead": "street",
        "co": ("dept:housing", "company", "developer"),
        "basis": (
            "S0 街道“参加物业承接查验，指导和监督物业服务项目的移交、接管”；"
            "区住房城乡建委负责物业承接查验的备案；S3 乡镇（街道）"
            "“监管物业管理项目交接等工作”。"
        ),
        "source": "S0 附件1.4、4.1；S3 四、(二)",
    },
    {
        "category": "governance.handover_abandon",
        "estate_kind": None,
        "lead": "street",
        "co": ("community", "dept:housing"),
        "basis": (
            "S0 街道“组织提供小区应急管理”，协调解决物业服务企业退出和交接问题；"
            "S3 乡镇（街道）履行住宅小区物业管理属地管理职责（含无主院落）。"
        ),
        "source": "S0 附件1.6-1.7；S3 四、(二)",
    },
    # Public order, personal data and disputes
    {
        "category": "order",
        "estate_kind": None,
        "lead": "street",
        "co": ("community",),
        "basis": (
            "S3 乡镇（街道）“受理调解本辖区物业管理方面的投诉”，"
            "“发挥基层综治中心和网格员作用，积极促进物业管理矛盾纠纷就地化解”。"
        ),
        "source": "S3 四、(二)",
    },
    {
        "category": "order.security",
        "estate_kind": None,
        "lead": "dept:police",
        "co": ("company", "community"),
        "basis": (
            "S0 区公安局“负责对物业管理区域内的治安、交通安全的监督检查”；"
            "S3 县公安局“负责加强小区治安管理”，“加强流动人口管理，"
            "指导落实安全防范工作”。"
        ),
        "source": "S0 附件7.1；S3 四、(四)8",
    },
    {
        "category": "order.gathering",
        "estate_kind": None,
        "lead": "street",
        "co": ("dept:police", "community"),
        "basis": (
            "S0 由各镇(街)牵头，会同公安等部门开展联合执法行动，"
            "“重点打击小区非法集会……等违法违规行为，严肃查处黑恶势力行为”（责任单位："
            "各镇(街)）。"
        ),
        "source": "S0 三、(八)",
    },
    {
        "category": "order.group_complaint",
        "estate_kind": None,
        "lead": "street",
        "co": ("community", "dept:housing", "dept:justice", "dept:court", "dept:police"),
        "basis": (
            "S0 针对物业矛盾纠纷，建立人民调解、行政调解、司法调解“三调联动”机制，"
            "充分发挥镇(街)、社区、法律顾问作用（责任单位：各镇(街)；配合单位："
            "区住房城乡建委、区司法局、区法院、区公安局）。"
        ),
        "source": "S0 三、(四)2",
    },
    {
        "category": "order.dispute",
        "estate_kind": None,
        "lead": "community",
        "co": ("street", "dept:justice"),
        "basis": (
            "S3 村（居）居委会“协调业主委员会、业主与物业服务企业关系，"
            "负责调处社区物业服务纠纷”；乡镇（街道）“受理调解本辖区物业管理方面的投诉”；"
            "县司法局“加强对属地政府人民调解组织在物业纠纷处理中的业务指导”。"
        ),
        "source": "S3 四、(二)-(三)、(四)14",
    },
    {
        "category": "order.info_leak",
        "estate_kind": None,
        "lead": "dept:police",
        "co": ("street",),
        "basis": (
            "S0 区公安局“负责查处建设单位、物业服务企业、业主委员会违反规定，非法使用、"
            "出售、提供、传播业主信息……违反治安管理规定的行为”。"
        ),
        "source": "S0 附件7.5",
    },
    {
        "category": "order.funeral",
        "estate_kind": None,
        "lead": "dept:civil",
        "co": ("street", "community"),
        "basis": (
            "S0 区民政局“负责本行政区域内的殡葬管理工作。会同街道办事处制止违规办理丧事活动”。"
        ),
        "source": "S0 附件8",
    },
    {
        "category": "order.labour",
        "estate_kind": None,
        "lead": "dept:other",
        "co": ("company",),
        "basis": (
            "S3 县人社局“负责指导物业服务企业劳动用工和督促企业缴纳社会保险，"
            "协调处理物业服务企业的劳资纠纷”。"
        ),
        "source": "S3 四、(四)9",
    },
    # Other
    {
        "category": "other",
        "estate_kind": None,
        "lead": "street",
        "co": ("community",),
        "basis": (
            "S3 乡镇（街道）“受理调解本辖区物业管理方面的投诉”；"
            "“其他有关部门根据工作职责，各司其职，做好物业管理区域内相关工作”。"
        ),
        "source": "S3 四、(二)、(四)17",
    },
    {
        "category": "other.policy",
        "estate_kind": None,
        "lead": "dept:housing",
        "co": (),
        "basis": (
            "S0 区住房城乡建委“宣传物业管理有关法律、法规和政策”；"
            "S3 县住建局设立物业管理办公室，“向社会公布监督举报电话，"
            "及时协调处理辖区物业管理服务中遇到的困难和问题”。"
        ),
        "source": "S0 附件4.4；S3 三、(二)",
    },
    {
        "category": "other.suggestion",
        "estate_kind": None,
        "lead": "dept:housing",
        "co": ("street",),
        "basis": (
            "S0 物业管理提升工作领导小组办公室由区住房城乡建委主任兼任副主任，"
            "“统筹协调物业管理品质提升日常工作”。"
        ),
        "source": "S0 四、(一)",
    },
)
