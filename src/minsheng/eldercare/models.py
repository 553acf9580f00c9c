"""Elder service places (issue #31 item 2): community elder stations (养老驿站), 幸福院 with their
rooms, day-care centres (日间照料); the elders registered at a place, the walk-in health checks that
make each elder's health record, who lives in which room of a 幸福院, the volunteers' weekly rota
with attendance (hours credited through the ledger) and day-care attendance."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from minsheng.care.models import CarePerson
from minsheng.organisation.models import Region, Unit
from minsheng.people.models import Resident
from minsheng.volunteers.models import Volunteer


class Service(models.TextChoices):
    BLOOD_PRESSURE = "blood_pressure", _("测血压")
    BLOOD_SUGAR = "blood_sugar", _("测血糖")
    CLINIC = "clinic", _("义诊咨询")
    MEALS = "meals", _("助餐")
    DAY_CARE = "day_care", _("日间照料")
    LODGING = "lodging", _("集中居住")
    REHAB = "rehab", _("康复理疗")
    LEISURE = "leisure", _("文体娱乐")
    ERRANDS = "errands", _("跑腿代购")


class Facility(models.Model):
    class Kind(models.TextChoices):
        STATION = "station", _("养老驿站")
        HAPPINESS_HOME = "happiness_home", _("幸福院")
        DAY_CARE = "day_care", _("日间照料中心")

    code = models.SlugField(_("编码"), max_length=40, unique=True)
    name = models.CharField(_("名称"), max_length=100)
    kind = models.CharField(_("类型"), max_length=16, choices=Kind.choices)
    # The community or village it serves: its staff and the street office above see it.
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="elder_facilities",
                               verbose_name=_("所在社区/村"))
    operator = models.ForeignKey(Unit, null=True, blank=True, on_delete=models.PROTECT, related_name="elder_facilities",
                                 verbose_name=_("运营单位"))
    address = models.CharField(_("地址"), max_length=255, blank=True)
    phone = models.CharField(_("联系电话"), max_length=20, blank=True)
    opening_hours = models.CharField(_("开放时间"), max_length=100, help_text=_("如：周一至周五 8:30–17:00"))
    services = models.JSONField(_("服务项目"), default=list, blank=True)
    # Places: people a station or a day-care centre takes at once; a 幸福院's are its rooms' beds.
    capacity = models.PositiveSmallIntegerField(_("容纳人数"), default=0)
    # The people working at the place (a doctor of the village clinic, the station's manager): they
    # see this place's pages only.
    staff = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="elder_facilities",
                                   verbose_name=_("场所工作人员"))
    active = models.BooleanField(_("启用"), default=True)

    # The configuration history shows the services by their labels, not their codes (audit.signals).
    HISTORY_LABELS = {"services": Service.choices}

    class Meta:
        verbose_name = _("养老服务场所")
        verbose_name_plural = _("养老服务场所")
        ordering = ["region__path", "name"]

    def __str__(self) -> str:
        return self.name

    def service_labels(self) -> list[str]:
        return [str(Service(s).label) for s in self.services if s in Service.values]


class Room(models.Model):
    facility = models.ForeignKey(Facility, on_delete=models.CASCADE, related_name="rooms", verbose_name=_("场所"))
    name = models.CharField(_("房间"), max_length=40)
    beds = models.PositiveSmallIntegerField(_("床位"), default=1)
    # A room someone has lived in keeps its stays (the record of who lived where): it is closed
    # (停用: no move-in, its beds out of the capacity), never deleted (services.remove_room).
    active = models.BooleanField(_("在用"), default=True)

    class Meta:
        verbose_name = _("房间")
        verbose_name_plural = _("房间")
        ordering = ["facility", "name"]
        constraints = [models.UniqueConstraint(fields=["facility", "name"], name="eldercare_room_unique"),
                       models.CheckConstraint(condition=Q(beds__gte=1), name="eldercare_room_beds")]

    def __str__(self) -> str:
        return f"{self.facility} {self.name}"


class Elder(models.Model):
    """A resident registered at a place (health checks, day care, a room)."""

    facility = models.ForeignKey(Facility, on_delete=models.PROTECT, related_name="elders", verbose_name=_("场所"))
    resident = models.ForeignKey(Resident, on_delete=models.PROTECT, related_name="elder_places",
                                 verbose_name=_("老人"))
    enrolled_on = models.DateField(_("登记日期"))
    active = models.BooleanField(_("在册"), default=True)

    class Meta:
        verbose_name = _("服务老人")
        verbose_name_plural = _("服务老人")
        ordering = ["facility", "resident__name"]
        constraints = [models.UniqueConstraint(fields=["facility", "resident"], name="eldercare_elder_unique")]

    def __str__(self) -> str:
        return self.resident.name


class HealthCheck(models.Model):
    """One walk-in visit's measurements (any of them) and the consultation note.  Health data:
    shown as "已测" until a viewer whose work needs the values reveals them (logged)."""

    elder = models.ForeignKey(Elder, on_delete=models.PROTECT, related_name="checks", verbose_name=_("老人"))
    measured_at = models.DateTimeField(_("测量时间"), db_index=True)
    systolic = models.PositiveSmallIntegerField(_("收缩压（mmHg）"), null=True, blank=True)
    diastolic = models.PositiveSmallIntegerField(_("舒张压（mmHg）"), null=True, blank=True)
    blood_sugar = models.DecimalField(_("血糖（mmol/L）"), max_digits=4, decimal_places=1, null=True, blank=True)
    fasting = models.BooleanField(_("空腹"), default=False)
    heart_rate = models.PositiveSmallIntegerField(_("心率（次/分）"), null=True, blank=True)
    weight = models.DecimalField(_("体重（kg）"), max_digits=4, decimal_places=1, null=True, blank=True)
    notes = models.TextField(_("咨询记录"), blank=True)
    # Kept with the row when it is written (ranges.out_of_range), so a list can say 异常 to those
    # who may know it without reading the values again.
    out_of_range = models.BooleanField(_("超出正常范围"), default=False)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                    verbose_name=_("登记人"))
    follow_up = models.ForeignKey(CarePerson, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                                  verbose_name=_("转关爱走访"))
    follow_up_at = models.DateTimeField(_("转走访时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("健康检测")
        verbose_name_plural = _("健康检测")
        ordering = ["-measured_at", "-pk"]
        constraints = [models.CheckConstraint(condition=Q(systolic__isnull=True) | Q(diastolic__lt=F("systolic")),
                                              name="eldercare_check_pressure_order")]

    def __str__(self) -> str:
        return f"{self.elder} {self.measured_at:%Y-%m-%d}"


class Stay(models.Model):
    """An elder living in a room of a 幸福院, from moving in until moving out."""

    room = models.ForeignKey(Room, on_delete=models.PROTECT, related_name="stays", verbose_name=_("房间"))
    elder = models.ForeignKey(Elder, on_delete=models.PROTECT, related_name="stays", verbose_name=_("老人"))
    moved_in = models.DateField(_("入住日期"))
    moved_out = models.DateField(_("退住日期"), null=True, blank=True)
    note = models.CharField(_("说明"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("入住记录")
        verbose_name_plural = _("入住记录")
        ordering = ["room", "-moved_in"]
        constraints = [models.UniqueConstraint(fields=["elder"], condition=Q(moved_out__isnull=True),
                                               name="eldercare_one_open_stay")]

    def __str__(self) -> str:
        return f"{self.elder} {self.room.name}"


class Shift(models.Model):
    """A volunteer shift at a place (帮工时间表): a day, its hours, how many volunteers it needs."""

    facility = models.ForeignKey(Facility, on_delete=models.CASCADE, related_name="shifts", verbose_name=_("场所"))
    day = models.DateField(_("日期"), db_index=True)
    starts = models.TimeField(_("开始"))
    ends = models.TimeField(_("结束"))
    duty = models.CharField(_("服务内容"), max_length=100)
    capacity = models.PositiveSmallIntegerField(_("需要人数"))
    hours = models.DecimalField(_("计服务时长（小时）"), max_digits=4, decimal_places=2)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                   verbose_name=_("排班人"))

    class Meta:
        verbose_name = _("志愿者排班")
        verbose_name_plural = _("志愿者排班")
        ordering = ["day", "starts", "pk"]
        constraints = [models.UniqueConstraint(fields=["facility", "day", "starts", "duty"],
                                               name="eldercare_shift_unique"),
                       models.CheckConstraint(condition=Q(ends__gt=F("starts")), name="eldercare_shift_order"),
                       models.CheckConstraint(condition=Q(capacity__gte=1), name="eldercare_shift_capacity")]

    def __str__(self) -> str:
        return f"{self.facility} {self.day} {self.starts:%H:%M}"


class ShiftSignup(models.Model):
    class Attendance(models.TextChoices):
        PENDING = "pending", _("待确认")
        ATTENDED = "attended", _("已到岗")
        NO_SHOW = "no_show", _("未到岗")

    shift = models.ForeignKey(Shift, on_delete=models.CASCADE, related_name="signups", verbose_name=_("班次"))
    volunteer = models.ForeignKey(Volunteer, on_delete=models.PROTECT, related_name="elder_shifts",
                                  verbose_name=_("志愿者"))
    signed_up_at = models.DateTimeField(_("报名时间"))
    attendance = models.CharField(_("到岗"), max_length=10, choices=Attendance.choices, default=Attendance.PENDING)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+", verbose_name=_("确认人"))
    recorded_at = models.DateTimeField(_("确认时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("排班报名")
        verbose_name_plural = _("排班报名")
        ordering = ["shift", "signed_up_at"]
        constraints = [models.UniqueConstraint(fields=["shift", "volunteer"], name="eldercare_signup_unique")]

    def __str__(self) -> str:
        return f"{self.volunteer} {self.shift}"


class DayCareVisit(models.Model):
    """An elder's day at a day-care centre: checked in, and out when they go home."""

    elder = models.ForeignKey(Elder, on_delete=models.PROTECT, related_name="day_visits", verbose_name=_("老人"))
    day = models.DateField(_("日期"), db_index=True)
    checked_in_at = models.DateTimeField(_("到达时间"))
    checked_out_at = models.DateTimeField(_("离开时间"), null=True, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                    verbose_name=_("登记人"))

    class Meta:
        verbose_name = _("日间照料签到")
        verbose_name_plural = _("日间照料签到")
        ordering = ["-day", "checked_in_at"]
        constraints = [models.UniqueConstraint(fields=["elder", "day"], name="eldercare_day_visit_unique")]

    def __str__(self) -> str:
        return f"{self.elder} {self.day}"
