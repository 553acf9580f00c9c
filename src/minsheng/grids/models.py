"""Grid work (DOMAIN.md §1, §8): the registers of houses and enterprises beside the residents,
who answers for each grid, patrols with their track, the patrol plan and the missed patrols."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from minsheng.demands.models import Demand
from minsheng.organisation.models import Region, Unit


class House(models.Model):
    """One dwelling of a building (a building is a region of kind "building")."""

    class Occupancy(models.TextChoices):
        OWNER = "owner", _("自住")
        RENTED = "rented", _("出租")
        VACANT = "vacant", _("空置")

    building = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="houses", verbose_name=_("楼栋"))
    # The 单元 (a region of kind "entrance" under the building) where the building has them.
    entrance = models.ForeignKey(Region, null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="entrance_houses", limit_choices_to={"kind": Region.Kind.ENTRANCE},
                                 verbose_name=_("单元"))
    room = models.CharField(_("房号"), max_length=30)
    occupancy = models.CharField(_("居住状态"), max_length=10, choices=Occupancy.choices, default=Occupancy.OWNER)
    area = models.DecimalField(_("面积（平方米）"), max_digits=7, decimal_places=2, null=True, blank=True)
    householder = models.CharField(_("户主"), max_length=50, blank=True)
    phone = models.CharField(_("联系电话"), max_length=20, blank=True)

    class Meta:
        verbose_name = _("房屋")
        verbose_name_plural = _("房屋")
        ordering = ["building", "room"]
        constraints = [models.UniqueConstraint(fields=["building", "room"], name="house_unique_room")]

    def __str__(self) -> str:
        return f"{self.building.name}{self.unit_and_room}"

    @property
    def unit_and_room(self) -> str:
        """"2单元301": the unit's name before the room, unless the room already carries it."""
        unit = self.entrance.name if self.entrance_id else ""
        return self.room if not unit or self.room.startswith(unit) else f"{unit}{self.room}"

    def clean(self) -> None:
        from django.core.exceptions import ValidationError

        if self.entrance_id and self.entrance.parent_id != self.building_id:
            raise ValidationError({"entrance": _("单元必须属于该楼栋。")})


class Enterprise(models.Model):
    """A business or organisation in a grid, known by its unified social credit code."""

    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="enterprises",
                               verbose_name=_("所在网格或楼栋"))
    name = models.CharField(_("名称"), max_length=100, db_index=True)
    credit_code = models.CharField(_("统一社会信用代码"), max_length=18, unique=True)
    address = models.CharField(_("地址"), max_length=255, blank=True)
    contact = models.CharField(_("联系人"), max_length=50, blank=True)
    phone = models.CharField(_("联系电话"), max_length=20, blank=True)

    class Meta:
        verbose_name = _("企业")
        verbose_name_plural = _("企业")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class RegisterChange(models.Model):
    """One change of a register record: who, when, how (import or edit), and each field's old and new value."""

    class Entity(models.TextChoices):
        RESIDENT = "resident", _("居民")
        HOUSE = "house", _("房屋")
        ENTERPRISE = "enterprise", _("企业")

    entity = models.CharField(_("类别"), max_length=12, choices=Entity.choices)
    record_id = models.PositiveBigIntegerField(_("记录"))
    changed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+",
                                   verbose_name=_("修改人"))
    source = models.CharField(_("来源"), max_length=40)
    changes = models.JSONField(_("变更内容"), default=dict)
    at = models.DateTimeField(_("时间"))

    class Meta:
        verbose_name = _("台账变更记录")
        verbose_name_plural = _("台账变更记录")
        ordering = ["-at", "-pk"]
        indexes = [models.Index(fields=["entity", "record_id"])]

    def __str__(self) -> str:
        return f"{self.entity} {self.record_id} {self.at:%Y-%m-%d %H:%M}"


class RegisterImport(models.Model):
    """An uploaded Excel register, parsed and previewed; imported whole or not at all."""

    class Status(models.TextChoices):
        PREVIEWED = "previewed", _("待确认")
        IMPORTED = "imported", _("已导入")

    entity = models.CharField(_("类别"), max_length=12, choices=RegisterChange.Entity.choices)
    filename = models.CharField(_("文件名"), max_length=200)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+",
                                    verbose_name=_("上传人"))
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.PREVIEWED)
    rows = models.JSONField(_("数据行"), default=list)  # the cleaned rows, ready to write
    errors = models.JSONField(_("错误"), default=list)  # [{"row": n, "field": "...", "message": "..."}]
    created_at = models.DateTimeField(_("上传时间"))
    created = models.PositiveIntegerField(_("新增"), default=0)
    updated = models.PositiveIntegerField(_("更新"), default=0)

    class Meta:
        verbose_name = _("台账导入")
        verbose_name_plural = _("台账导入")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.filename


class GridAssignment(models.Model):
    """Who answers for a grid: one full-time worker, any number of part-time ones, and specialists
    who each cover several grids."""

    class Kind(models.TextChoices):
        FULL_TIME = "full_time", _("专职网格员")
        PART_TIME = "part_time", _("兼职网格员")
        SPECIALIST = "specialist", _("专业网格员")

    grid = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="grid_assignments",
                             limit_choices_to={"kind": Region.Kind.GRID}, verbose_name=_("网格"))
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="grid_assignments",
                             verbose_name=_("网格员"))
    kind = models.CharField(_("类型"), max_length=12, choices=Kind.choices)
    phone = models.CharField(_("联系电话"), max_length=20, blank=True)
    speciality = models.CharField(_("专业领域"), max_length=40, blank=True)
    active = models.BooleanField(_("有效"), default=True)
    since = models.DateField(_("起始日期"))

    class Meta:
        verbose_name = _("网格员分工")
        verbose_name_plural = _("网格员分工")
        ordering = ["grid", "kind"]
        constraints = [
            models.UniqueConstraint(fields=["grid"], condition=models.Q(kind="full_time", active=True),
                                    name="grid_one_full_time_worker"),
            # 一人一格: a full-time grid worker answers for one grid only.
            models.UniqueConstraint(fields=["user"], condition=models.Q(kind="full_time", active=True),
                                    name="full_time_worker_one_grid",
                                    violation_error_message=_("专职网格员一人一格：此人已是另一网格的专职网格员。")),
            models.UniqueConstraint(fields=["grid", "user"], condition=models.Q(active=True),
                                    name="grid_assignment_once"),
        ]

    def __str__(self) -> str:
        return f"{self.grid} · {self.user} · {self.get_kind_display()}"


class PatrolPlan(models.Model):
    """How many patrols a day a grid needs; set on a grid, a community or a street (the most
    specific wins), else settings.MINSHENG_PATROLS_PER_DAY."""

    region = models.OneToOneField(Region, on_delete=models.CASCADE, related_name="patrol_plan",
                                  verbose_name=_("区域"))
    per_day = models.PositiveSmallIntegerField(_("每日巡查次数"))

    class Meta:
        verbose_name = _("巡查计划")
        verbose_name_plural = _("巡查计划")

    def __str__(self) -> str:
        return f"{self.region} × {self.per_day}"


class Patrol(models.Model):
    grid = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="patrols", verbose_name=_("网格"))
    worker = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="patrols",
                               verbose_name=_("网格员"))
    started_at = models.DateTimeField(_("开始时间"), db_index=True)
    finished_at = models.DateTimeField(_("结束时间"), null=True, blank=True)
    # [[latitude, longitude, ISO time], …] as the phone sent them
    track = models.JSONField(_("轨迹"), default=list)
    note = models.CharField(_("巡查情况"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("巡查")
        verbose_name_plural = _("巡查")
        ordering = ["-started_at"]

    def __str__(self) -> str:
        return f"{self.grid} {self.started_at:%Y-%m-%d %H:%M}"

    @property
    def finished(self) -> bool:
        return self.finished_at is not None


class PatrolFinding(models.Model):
    """A problem found on patrol: a demand of channel "patrol" (the demand is the case; this only
    says which patrol found it)."""

    patrol = models.ForeignKey(Patrol, on_delete=models.PROTECT, related_name="findings", verbose_name=_("巡查"))
    demand = models.OneToOneField(Demand, on_delete=models.PROTECT, related_name="patrol_finding",
                                  verbose_name=_("诉求"))

    class Meta:
        verbose_name = _("巡查发现")
        verbose_name_plural = _("巡查发现")

    def __str__(self) -> str:
        return str(self.demand_id)


class MissedPatrol(models.Model):
    """A grid's day with fewer finished patrols than its plan, flagged to its community."""

    grid = models.ForeignKey(Region, on_delete=models.CASCADE, related_name="missed_patrols", verbose_name=_("网格"))
    day = models.DateField(_("日期"))
    planned = models.PositiveSmallIntegerField(_("计划次数"))
    done = models.PositiveSmallIntegerField(_("完成次数"))
    flagged_at = models.DateTimeField(_("提醒时间"))

    class Meta:
        verbose_name = _("漏巡记录")
        verbose_name_plural = _("漏巡记录")
        ordering = ["-day"]
        constraints = [models.UniqueConstraint(fields=["grid", "day"], name="missed_patrol_once")]

    def __str__(self) -> str:
        return f"{self.grid} {self.day}"


# --- the place-name register (地名地址): what the address resolver needs beyond the region tree ------

class Estate(models.Model):
    """A residential estate (小区): the name residents give, often in another form (an older name,
    the developer's name: the aliases), in one grid, with a point for the map.  Where the estate is
    managed as a place (docs/estates.md) it is also a region of kind "estate" under its grid, its
    buildings under that region, and it carries the "三驾马车": the property company, the owners'
    committee (业委会, or 物管会 where none is elected) and the estate's party branch."""

    class Committee(models.TextChoices):
        NONE = "", _("未成立")
        OWNERS = "owners", _("业主委员会（业委会）")
        MANAGEMENT = "management", _("物业管理委员会（物管会）")

    name = models.CharField(_("小区名称"), max_length=100, unique=True)
    aliases = models.CharField(_("别名"), max_length=255, blank=True, help_text=_("以空格分隔，用于地址识别"))
    grid = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="estates", verbose_name=_("所在网格"))
    latitude = models.DecimalField(_("纬度"), max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(_("经度"), max_digits=9, decimal_places=6, null=True, blank=True)
    region = models.OneToOneField(Region, null=True, blank=True, on_delete=models.PROTECT, related_name="estate",
                                  limit_choices_to={"kind": Region.Kind.ESTATE}, verbose_name=_("区域节点"),
                                  help_text=_("小区作为区域（楼栋在其下）时填写"))
    property_company = models.ForeignKey(Unit, null=True, blank=True, on_delete=models.PROTECT,
                                         related_name="managed_estates",
                                         limit_choices_to={"kind": Unit.Kind.PROPERTY_COMPANY},
                                         verbose_name=_("物业服务企业"))
    committee = models.CharField(_("业主组织"), max_length=12, choices=Committee.choices, blank=True, default="")
    committee_chair = models.CharField(_("业主组织负责人"), max_length=50, blank=True)
    committee_phone = models.CharField(_("业主组织联系电话"), max_length=20, blank=True)
    committee_term_ends = models.DateField(_("本届任期届满"), null=True, blank=True)
    party_branch = models.ForeignKey("party.PartyOrganisation", null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="estates", verbose_name=_("小区党支部"))

    class Meta:
        verbose_name = _("小区")
        verbose_name_plural = _("小区")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        from django.core.exceptions import ValidationError

        if self.region_id and self.region.kind != Region.Kind.ESTATE:
            raise ValidationError({"region": _("区域节点必须是“小区”层级。")})
        if self.region_id and self.grid_id and not self.region.path.startswith(self.grid.path):
            raise ValidationError({"region": _("小区的区域节点必须在所在网格之下。")})
        if self.property_company_id and self.property_company.kind != Unit.Kind.PROPERTY_COMPANY:
            raise ValidationError({"property_company": _("请选择物业公司类型的单位。")})


class Road(models.Model):
    """A named road (路、街、大街) of the district, with the names residents also use for it, and the
    street whose territory it serves (a road that crosses several streets is listed under the district)."""

    name = models.CharField(_("道路名称"), max_length=60, unique=True)
    aliases = models.CharField(_("别名"), max_length=255, blank=True, help_text=_("以空格分隔，用于地址识别"))
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="roads", verbose_name=_("所属区域"))

    class Meta:
        verbose_name = _("道路")
        verbose_name_plural = _("道路")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class DoorPlate(models.Model):
    """A house number (门牌) on a road: "建设路12号" is the gate of a building or of an estate's grid."""

    road = models.ForeignKey(Road, on_delete=models.CASCADE, related_name="door_plates", verbose_name=_("道路"))
    number = models.PositiveIntegerField(_("门牌号"))
    place = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="door_plates",
                              verbose_name=_("楼栋或网格"))
    latitude = models.DecimalField(_("纬度"), max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(_("经度"), max_digits=9, decimal_places=6, null=True, blank=True)

    class Meta:
        verbose_name = _("门牌")
        verbose_name_plural = _("门牌")
        ordering = ["road", "number"]
        constraints = [models.UniqueConstraint(fields=["road", "number"], name="door_plate_unique_number")]

    def __str__(self) -> str:
        return f"{self.road.name}{self.number}号"


# --- estates, their evaluation and the chiefs (docs/estates.md) -------------------------------------

class PropertyEvaluation(models.Model):
    """One resident's yearly evaluation of their estate's property company (a few questions, each
    满意 / 基本满意 / 不满意): one per resident, estate and year."""

    estate = models.ForeignKey(Estate, on_delete=models.PROTECT, related_name="evaluations", verbose_name=_("小区"))
    property_company = models.ForeignKey(Unit, null=True, on_delete=models.SET_NULL, related_name="+",
                                         verbose_name=_("物业服务企业"))
    resident = models.ForeignKey("people.Resident", on_delete=models.CASCADE, related_name="property_evaluations",
                                 verbose_name=_("居民"))
    year = models.PositiveSmallIntegerField(_("年度"))
    answers = models.JSONField(_("答卷"), default=dict)  # question code → "satisfied" | "basic" | "dissatisfied"
    comment = models.CharField(_("意见建议"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("提交时间"))

    class Meta:
        verbose_name = _("物业服务评价")
        verbose_name_plural = _("物业服务评价")
        ordering = ["-created_at"]
        constraints = [models.UniqueConstraint(fields=["estate", "resident", "year"],
                                               name="property_evaluation_once_a_year")]

    def __str__(self) -> str:
        return f"{self.estate} {self.year}"


class Chief(models.Model):
    """A 网格长, 楼栋长 or 单元长 (长白's 五长): a resident or volunteer who answers for a grid, a
    building or a unit, sees its residents' list (masked) and sends them notices."""

    class Kind(models.TextChoices):
        GRID = "grid", _("网格长")
        BUILDING = "building", _("楼栋长")
        ENTRANCE = "entrance", _("单元长")

    REGION_KIND = {Kind.GRID: Region.Kind.GRID, Kind.BUILDING: Region.Kind.BUILDING,
                   Kind.ENTRANCE: Region.Kind.ENTRANCE}

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="chief_posts",
                             verbose_name=_("账号"))
    kind = models.CharField(_("职务"), max_length=10, choices=Kind.choices)
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="chiefs", verbose_name=_("负责区域"))
    phone = models.CharField(_("联系电话"), max_length=20, blank=True)
    active = models.BooleanField(_("在任"), default=True)
    since = models.DateField(_("起始日期"))

    class Meta:
        verbose_name = _("网格长、楼栋长、单元长")
        verbose_name_plural = _("网格长、楼栋长、单元长")
        ordering = ["region", "kind"]
        constraints = [models.UniqueConstraint(fields=["user", "region"], condition=models.Q(active=True),
                                               name="chief_once_per_region")]

    def __str__(self) -> str:
        return f"{self.region} · {self.get_kind_display()} · {self.user}"

    def clean(self) -> None:
        from django.core.exceptions import ValidationError

        if self.region_id and self.kind and self.region.kind != self.REGION_KIND.get(self.kind):
            raise ValidationError({"region": _("%(kind)s的负责区域必须是%(level)s。") % {
                "kind": self.get_kind_display(), "level": Region.Kind(self.REGION_KIND[self.kind]).label}})
