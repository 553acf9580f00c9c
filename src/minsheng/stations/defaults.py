"""The catalogue of service items a station may offer (Fushun's 代办事项), loaded by a data migration."""

# code, name, counts as mediation
SERVICE_ITEMS = [
    ("bill_payment", "代缴水电气暖费", False),
    ("purchasing", "代购生活用品", False),
    ("medicine", "代购药品", False),
    ("house_repair", "房屋维修", False),
    ("appliance_repair", "家电维修", False),
    ("lock", "开锁换锁", False),
    ("social_insurance", "社保医保代办", False),
    ("pension_certification", "养老金资格认证", False),
    ("job_registration", "就业失业登记", False),
    ("subsistence", "低保救助申请", False),
    ("disability", "残疾人证件代办", False),
    ("elderly_allowance", "高龄补贴申请", False),
    ("household_registration", "户籍证明代办", False),
    ("legal_aid", "法律援助", False),
    ("skills_training", "技能培训报名", False),
    ("dispute_mediation", "矛盾纠纷调解", True),
    ("neighbour_mediation", "邻里纠纷调解", True),
    ("home_visit_care", "独居老人探访", False),
    ("delivery", "代收代寄", False),
    ("document_copy", "代办复印打印", False),
    ("health_booking", "预约挂号", False),
    ("policy_consultation", "政策咨询", False),
]


def load_service_items(apps) -> None:
    ServiceItem = apps.get_model("stations", "ServiceItem")
    for order, (code, name, mediation) in enumerate(SERVICE_ITEMS, start=1):
        ServiceItem.objects.update_or_create(code=code, defaults={"name": name, "order": order,
                                                                  "mediation": mediation})
