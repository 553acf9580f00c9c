"""The default catalogue every installation starts with.

Administrators edit all of it in the Django admin afterwards; these are only the
starting values (DOMAIN.md §2).  Top-level categories follow the seven labels of
the shared complaint data so that a router trained on them maps one to one.
"""

DEMAND_TYPES: list[tuple[str, str, str]] = [
    # code, Chinese name, English name
    ("consultation", "咨询", "Consultation"),
    ("help", "求助", "Request for help"),
    ("complaint", "投诉", "Complaint"),
    ("report", "举报", "Report"),
    ("suggestion", "建议", "Suggestion"),
    ("praise", "表扬", "Praise"),
]

# code, Chinese name, English name, keywords, children
CATEGORIES: list[tuple[str, str, str, str, list[tuple[str, str, str, str]]]] = [
    ("construction", "城乡建设", "Urban and rural construction", "房屋 物业 小区 道路 拆迁", [
        ("construction.property", "物业管理", "Property management", "物业 电梯 门禁 物业费"),
        ("construction.old_estate", "老旧小区改造", "Old estate renovation", "老旧小区 改造 加装电梯 外墙"),
        ("construction.roads", "道路与市政设施", "Roads and municipal facilities", "路面 坑洼 井盖 路灯"),
        ("construction.utilities", "供水供电供气供暖", "Water, power, gas and heating", "停水 停电 燃气 暖气"),
        ("construction.illegal_building", "违法建设", "Illegal construction", "违建 私搭乱建 占用"),
        ("construction.housing", "住房保障与拆迁", "Housing and relocation", "公租房 拆迁 安置 不动产"),
    ]),
    ("environment", "环境保护", "Environmental protection", "污染 噪音 垃圾 环境", [
        ("environment.noise", "噪声扰民", "Noise nuisance", "噪音 施工 广场舞 夜间"),
        ("environment.waste", "垃圾清运", "Waste collection", "垃圾 清运 分类 堆放"),
        ("environment.water", "水体与污水", "Water pollution and sewage", "污水 河道 排水 黑臭"),
        ("environment.air", "大气与油烟", "Air pollution and cooking fumes", "油烟 粉尘 异味 焚烧"),
        ("environment.greening", "绿化养护", "Greening and tree care", "树木 绿地 修剪 草坪"),
    ]),
    ("transport", "交通运输", "Transport", "公交 停车 交通 道路", [
        ("transport.bus", "公交线路", "Bus routes", "公交 站点 班次 线路"),
        ("transport.parking", "停车管理", "Parking", "停车 车位 占道 僵尸车"),
        ("transport.traffic", "交通秩序与设施", "Traffic order and facilities", "红绿灯 拥堵 斑马线 标线"),
        ("transport.taxi", "出租车与网约车", "Taxis and ride-hailing", "出租车 网约车 拒载 绕路"),
    ]),
    ("education", "教育文体", "Education, culture and sports", "学校 入学 文体 培训", [
        ("education.enrolment", "入学与招生", "School enrolment", "入学 学区 招生 转学"),
        ("education.campus_safety", "校园及周边安全", "Safety around schools", "校园 周边 接送 安全"),
        ("education.facilities", "文体设施", "Culture and sports facilities", "健身器材 球场 图书室 活动室"),
        ("education.training", "校外培训与收费", "Tutoring and school fees", "培训 收费 退费 补课"),
    ]),
    ("labour", "劳动和社会保障", "Labour and social security", "工资 社保 养老 救助 就业", [
        ("labour.wages", "拖欠工资", "Unpaid wages", "欠薪 工资 劳务费 农民工"),
        ("labour.insurance", "社保医保", "Social and medical insurance", "社保 医保 报销 缴费"),
        ("labour.elderly", "养老服务", "Elderly care", "养老 老人 助餐 居家养老"),
        ("labour.assistance", "低保与社会救助", "Minimum living allowance and assistance", "低保 救助 困难 补贴"),
        ("labour.employment", "就业创业", "Employment", "就业 招聘 培训 失业"),
    ]),
    ("commerce", "商贸旅游", "Commerce and tourism", "消费 市场 价格 旅游", [
        ("commerce.consumer", "消费纠纷", "Consumer disputes", "退款 预付卡 质量 商家"),
        ("commerce.market_order", "市场秩序与占道经营", "Market order and street vending", "占道经营 流动摊贩 菜市场"),
        ("commerce.prices", "价格监管", "Prices", "涨价 收费 标价"),
        ("commerce.tourism", "旅游服务", "Tourism services", "景区 导游 门票"),
    ]),
    ("health", "卫生计生", "Health and family planning", "医院 医疗 疫苗 食品", [
        ("health.medical", "医疗服务", "Medical services", "医院 看病 挂号 医生"),
        ("health.vaccination", "疫苗接种", "Vaccination", "疫苗 接种 预约"),
        ("health.food_safety", "食品安全", "Food safety", "食品 餐馆 卫生 过期"),
        ("health.family_planning", "计生服务", "Family planning services", "生育 计生 证明 补贴"),
    ]),
]

# code, Chinese name, English name, handling amount, handling unit, contact hours
# Beijing 接诉即办 defaults (DOMAIN.md §2): danger to life or property 2 hours,
# water/power/gas/heating 24 hours, general 7 working days, complex 15 working days;
# the handler contacts the resident within 24 hours (2 hours when in danger).
TIME_LIMIT_POLICIES: list[tuple[str, str, str, int, str, int]] = [
    ("danger", "紧急（危及生命财产）", "Emergency (danger to life or property)", 2, "hours", 2),
    ("utilities", "水电气热", "Water, power, gas, heating", 24, "hours", 24),
    ("general", "一般", "General", 7, "workdays", 24),
    ("complex", "复杂", "Complex", 15, "workdays", 24),
]

# code, Chinese name, priority (higher is served first)
VULNERABLE_TAGS: list[tuple[str, str, int]] = [
    ("dibao", "低保", 3),
    ("shidu", "失独", 4),
    ("elderly_alone", "独居老人", 4),
    ("disabled", "残疾", 4),
    ("left_behind_child", "留守儿童", 4),
    ("tekun", "特困", 5),
    ("youfu", "优抚", 2),
]

# Extra questions per category (Open311 service definitions):
# category, code, question, English question, datatype, required, values [(key, name)]
SERVICE_ATTRIBUTES: list[tuple[str, str, str, str, str, bool, list[tuple[str, str]]]] = [
    ("construction.roads", "hazard", "是否有安全隐患", "Is it a safety hazard?", "singlevaluelist", True,
     [("yes", "有，可能伤人或损坏车辆"), ("no", "没有")]),
    ("construction.roads", "found_at", "发现时间", "When was it found?", "datetime", False, []),
    ("environment.noise", "period", "噪声出现的时段", "When does the noise occur?", "multivaluelist", True,
     [("day", "白天"), ("evening", "傍晚"), ("night", "夜间（22点后）")]),
    ("environment.noise", "source", "噪声来源", "Source of the noise", "string", False, []),
    ("transport.parking", "vehicles", "涉及车辆数", "Number of vehicles", "number", False, []),
    ("transport.parking", "plate", "车牌号（如知道）", "Plate number (if known)", "string", False, []),
]


def load_service_attributes(apps) -> None:
    Category = apps.get_model("catalogue", "Category")
    ServiceAttribute = apps.get_model("catalogue", "ServiceAttribute")
    for order, (category, code, question, question_en, datatype, required, values) in enumerate(SERVICE_ATTRIBUTES):
        node = Category.objects.filter(code=category).first()
        if node is not None:
            ServiceAttribute.objects.get_or_create(category=node, code=code, defaults={
                "description": question, "description_en": question_en, "datatype": datatype,
                "required": required, "order": order, "values": [{"key": k, "name": n} for k, n in values]})


def load_defaults(apps) -> None:
    """Create the default catalogue (idempotent).  Takes an app registry so that data
    migrations can call it with historical models, whose custom save() is absent; hence
    the tree paths are written here explicitly."""
    from minsheng.organisation.models import child_path

    DemandType = apps.get_model("catalogue", "DemandType")
    Category = apps.get_model("catalogue", "Category")
    TimeLimitPolicy = apps.get_model("catalogue", "TimeLimitPolicy")
    VulnerableTag = apps.get_model("people", "VulnerableTag")

    for order, (code, name, name_en) in enumerate(DEMAND_TYPES):
        DemandType.objects.get_or_create(code=code, defaults={"name": name, "name_en": name_en, "order": order})
    for order, (code, name, name_en, amount, unit, contact) in enumerate(TIME_LIMIT_POLICIES):
        TimeLimitPolicy.objects.get_or_create(code=code, defaults={
            "name": name, "name_en": name_en, "handle_amount": amount, "handle_unit": unit,
            "contact_hours": contact, "order": order})
    for code, name, priority in VULNERABLE_TAGS:
        VulnerableTag.objects.get_or_create(code=code, defaults={"name": name, "priority": priority})

    def category(code, name, name_en, keywords, parent):
        node, created = Category.objects.get_or_create(code=code, defaults={
            "name": name, "name_en": name_en, "keywords": keywords, "parent": parent})
        if created:
            node.path = child_path(parent.path if parent else "", node.pk)
            node.depth = node.path.count(".") - 1
            node.save(update_fields=["path", "depth"])
        return node

    for code, name, name_en, keywords, children in CATEGORIES:
        top = category(code, name, name_en, keywords, None)
        for child_code, child_name, child_en, child_keywords in children:
            category(child_code, child_name, child_en, child_keywords, top)
