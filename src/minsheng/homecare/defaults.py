"""The starting catalogue of home-care services and the source's grade policy (松原: 甲/乙/丙 →
30/20/10 hours a month at 17 yuan an hour).  Staff edit both afterwards; nothing reads these
values except the data migration (and tests that reload it after a flush)."""

from datetime import date
from decimal import Decimal

# code, name — the 21 one-to-one home services of the source
SERVICES: list[tuple[str, str]] = [
    ("health_check", "健康检查（血压血糖）"), ("cleaning", "打扫卫生"), ("bathing", "助浴"), ("cooking", "做饭"),
    ("haircut", "理发"), ("laundry", "洗衣"), ("escort_doctor", "陪同就医"), ("shopping", "代购物品"),
    ("meal_delivery", "送餐"), ("foot_care", "修脚"), ("massage", "按摩"), ("company", "精神慰藉"),
    ("reading", "读书读报"), ("bills", "代缴费用"), ("repairs", "室内小修"), ("bedding", "换洗被褥"),
    ("windows", "擦窗"), ("rehab", "康复训练"), ("medication", "用药提醒"), ("walk", "陪同散步"),
    ("nursing", "生活护理"),
]

POLICIES: list[tuple[str, date, Decimal, Decimal]] = [
    ("A", date(2020, 1, 1), Decimal("30"), Decimal("17")),
    ("B", date(2020, 1, 1), Decimal("20"), Decimal("17")),
    ("C", date(2020, 1, 1), Decimal("10"), Decimal("17")),
]


def load_defaults(apps) -> None:
    CareService = apps.get_model("homecare", "CareService")
    GradePolicy = apps.get_model("homecare", "GradePolicy")
    for code, name in SERVICES:
        CareService.objects.get_or_create(code=code, defaults={"name": name})
    for grade, valid_from, hours, price in POLICIES:
        GradePolicy.objects.get_or_create(grade=grade, valid_from=valid_from,
                                          defaults={"monthly_hours": hours, "hourly_price": price})
