"""Who is who: the region tree, the units placed in it, and users' roles in units."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from .roles import Role

PATH_STEP = 6  # digits per level of a materialised path: "000001.000042."


def child_path(parent_path: str, pk: int) -> str:
    return f"{parent_path}{pk:0{PATH_STEP}d}."


class TreeNode(models.Model):
    """A node of a tree stored with a materialised path, so that "everything under X"
    is one indexed prefix query instead of a recursive walk."""

    path = models.CharField(max_length=255, db_index=True, editable=False, default="")
    depth = models.PositiveSmallIntegerField(editable=False, default=0)

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        parent = self.parent
        if self.pk is None:
            # The path embeds the primary key, so a new node is saved twice.
            super().save(*args, **kwargs)
            self.path = child_path(parent.path if parent else "", self.pk)
            self.depth = self.path.count(".") - 1
            super().save(update_fields=["path", "depth"])
            return
        if parent is not None and parent.path.startswith(self.path):
            raise ValidationError(_("不能把节点移到它自己的下级。"))
        old_path = self.path
        self.path = child_path(parent.path if parent else "", self.pk)
        self.depth = self.path.count(".") - 1
        super().save(*args, **kwargs)
        if old_path and old_path != self.path:
            self._move_descendants(old_path, self.path)

    def _move_descendants(self, old_path: str, new_path: str) -> None:
        for node in type(self).objects.filter(path__startswith=old_path).exclude(pk=self.pk):
            node.path = new_path + node.path[len(old_path) :]
            node.depth = node.path.count(".") - 1
            node.save(update_fields=["path", "depth"])

    def ancestors(self, include_self: bool = True):
        """Ancestors from the root down (ids parsed from the path, one query)."""
        ids = [int(p) for p in self.path.split(".") if p]
        if not include_self:
            ids = ids[:-1]
        by_id = type(self).objects.in_bulk(ids)
        return [by_id[i] for i in ids if i in by_id]

    def descendants(self, include_self: bool = True):
        qs = type(self).objects.filter(path__startswith=self.path)
        return qs if include_self else qs.exclude(pk=self.pk)


class Region(TreeNode):
    class Kind(models.TextChoices):
        PROVINCE = "province", _("省/自治区")
        CITY = "city", _("市/州")
        DISTRICT = "district", _("区/县")
        STREET = "street", _("街道/乡镇")
        COMMUNITY = "community", _("社区/村")
        GRID = "grid", _("网格")
        ESTATE = "estate", _("小区")
        BUILDING = "building", _("楼栋")
        ENTRANCE = "entrance", _("单元")

    KIND_ORDER = [Kind.PROVINCE, Kind.CITY, Kind.DISTRICT, Kind.STREET, Kind.COMMUNITY, Kind.GRID, Kind.ESTATE,
                  Kind.BUILDING, Kind.ENTRANCE]
    # Levels a tree may leave out: a building stands in an estate (小区) of its grid, or directly in
    # the grid where there is none (a street of old houses, a village).  The estate sits under the
    # grid so that folding a path to the grid level (the rollups, ``levels``) stays right.
    OPTIONAL_KINDS = frozenset({Kind.ESTATE})
    # The levels a tree may start at: a province, a city run without its province (a municipality
    # such as Beijing, or a city's own installation), or a district on its own (the first installs).
    ROOT_KINDS = frozenset({Kind.PROVINCE, Kind.CITY, Kind.DISTRICT})
    # The levels above the district: the rollups and a place's full name count from the district.
    UPPER_KINDS = frozenset({Kind.PROVINCE, Kind.CITY})

    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="children",
                               verbose_name=_("上级"))
    kind = models.CharField(_("层级"), max_length=16, choices=Kind.choices)
    name = models.CharField(_("名称"), max_length=100)
    code = models.CharField(_("编码"), max_length=40, unique=True)
    aliases = models.CharField(_("别名"), max_length=255, blank=True, help_text=_("以空格分隔，用于地址识别"))
    latitude = models.DecimalField(_("纬度"), max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(_("经度"), max_digits=9, decimal_places=6, null=True, blank=True)
    boundary = models.JSONField(_("边界（GeoJSON 多边形坐标）"), null=True, blank=True)

    class Meta:
        verbose_name = _("区域")
        verbose_name_plural = _("区域")
        ordering = ["path"]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if self.parent is None:
            if self.kind not in self.ROOT_KINDS:
                raise ValidationError({"parent": _("只有省、市或区/县可以没有上级。")})
            return
        if self.kind not in self.child_kinds(self.parent.kind):
            raise ValidationError({"kind": _("层级必须比上级低一级。")})

    @classmethod
    def child_kinds(cls, parent_kind: str) -> list[str]:
        """The kinds a child of ``parent_kind`` may have: the next level, and the one after it
        where the next is optional (a building directly in a grid without estates)."""
        kinds: list[str] = []
        index = cls.KIND_ORDER.index(parent_kind) + 1
        while index < len(cls.KIND_ORDER):
            kinds.append(cls.KIND_ORDER[index])
            if cls.KIND_ORDER[index] not in cls.OPTIONAL_KINDS:
                break
            index += 1
        return kinds

    def nearest(self, kind: str) -> "Region | None":
        """This region or its ancestor of ``kind`` (one query: the ids come from the path)."""
        if self.kind == kind:
            return self
        return next((r for r in self.ancestors() if r.kind == kind), None)

    @property
    def full_name(self) -> str:
        return "".join(r.name for r in self.ancestors()
                       if r.kind not in self.UPPER_KINDS and r.kind != self.Kind.DISTRICT) or self.name


class Unit(TreeNode):
    """An organisation that acts: a department, a street office, a committee, a station…"""

    class Kind(models.TextChoices):
        CITY_CENTRE = "city_centre", _("市接诉即办中心")
        DISTRICT_CENTRE = "district_centre", _("区接诉即办中心")
        DEPARTMENT = "department", _("职能部门")
        STREET_OFFICE = "street_office", _("街道办事处")
        COMMUNITY_COMMITTEE = "community_committee", _("社区居委会")
        PROPERTY_COMPANY = "property_company", _("物业公司")
        STATION = "station", _("代办站")
        CARE_PROVIDER = "care_provider", _("养老服务商")
        VOLUNTEER_TEAM = "volunteer_team", _("志愿服务队")

    # Territorial units answer for everything that happens in their region; the others
    # answer only for what is assigned to them.
    TERRITORIAL_KINDS = frozenset({Kind.CITY_CENTRE, Kind.DISTRICT_CENTRE, Kind.STREET_OFFICE, Kind.COMMUNITY_COMMITTEE,
                                   Kind.STATION})

    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="children",
                               verbose_name=_("上级单位"))
    kind = models.CharField(_("类型"), max_length=24, choices=Kind.choices)
    name = models.CharField(_("名称"), max_length=100)
    code = models.CharField(_("编码"), max_length=40, unique=True)
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="units", verbose_name=_("所在区域"))
    phone = models.CharField(_("联系电话"), max_length=20, blank=True)
    active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("单位")
        verbose_name_plural = _("单位")
        ordering = ["path"]

    def __str__(self) -> str:
        return self.name

    @property
    def is_territorial(self) -> bool:
        return self.kind in self.TERRITORIAL_KINDS


class Membership(models.Model):
    """A user holding a role in a unit.  Its scope is the unit's subtree, narrowed to
    ``region`` where given (a grid worker of a community answers for one grid)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships",
                             verbose_name=_("用户"))
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="memberships", verbose_name=_("单位"))
    role = models.CharField(_("角色"), max_length=24, choices=Role.choices)
    region = models.ForeignKey(Region, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                               verbose_name=_("负责区域"), help_text=_("为空时为单位所在区域"))
    active = models.BooleanField(_("有效"), default=True)

    class Meta:
        verbose_name = _("岗位")
        verbose_name_plural = _("岗位")
        constraints = [models.UniqueConstraint(fields=["user", "unit", "role"], name="membership_unique_role")]

    def __str__(self) -> str:
        return f"{self.user} · {self.unit} · {self.get_role_display()}"

    def clean(self) -> None:
        if self.region_id and self.unit_id and not self.region.path.startswith(self.unit.region.path):
            raise ValidationError({"region": _("负责区域必须在单位所在区域之内。")})


class SetupImport(models.Model):
    """An uploaded set-up file (region tree, boundaries, units, accounts, dispatch catalogue),
    checked and previewed; applied whole or not at all (``minsheng.setup.imports``).  It keeps
    the cleaned rows, not the file: a new account's password is kept only as its hash."""

    class Kind(models.TextChoices):
        REGIONS = "regions", _("区域（行政区划代码）")
        BOUNDARIES = "boundaries", _("网格与楼栋边界（GeoJSON）")
        UNITS = "units", _("单位")
        ACCOUNTS = "accounts", _("工作人员账号与角色")
        CATALOGUE = "catalogue", _("派单目录（权责清单）")

    class Status(models.TextChoices):
        PREVIEWED = "previewed", _("待确认")
        APPLIED = "applied", _("已导入")

    kind = models.CharField(_("类别"), max_length=12, choices=Kind.choices)
    filename = models.CharField(_("文件名"), max_length=200)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+",
                                    verbose_name=_("上传人"))
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.PREVIEWED)
    rows = models.JSONField(_("数据行"), default=list)
    errors = models.JSONField(_("错误"), default=list)  # [{"row": n, "column": "...", "message": "..."}]
    changes = models.JSONField(_("变更"), default=list)  # [{"row": n, "key": "...", "action": "create|update|same"}]
    created_at = models.DateTimeField(_("上传时间"))
    applied_at = models.DateTimeField(_("导入时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("开通数据导入")
        verbose_name_plural = _("开通数据导入")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.filename}"
