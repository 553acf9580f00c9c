"""The party structure on the region tree (DOMAIN.md §6): 街道党工委 → 社区党组织 → 小区党组织 →
楼栋党小组 → 党员中心户, party members, and in-service members reporting to a community (双报到).

Party members are people of the resident register (``people.Resident``), so their phone numbers
are masked and revealed like every resident's."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from minsheng.organisation.models import Region, TreeNode
from minsheng.people.models import Resident


class PartyOrganisation(TreeNode):
    class Level(models.TextChoices):
        STREET_COMMITTEE = "street_committee", _("街道党工委")
        COMMUNITY = "community", _("社区党组织")
        ESTATE = "estate", _("小区党组织")
        BUILDING_GROUP = "building_group", _("楼栋党小组")

    LEVEL_ORDER = [Level.STREET_COMMITTEE, Level.COMMUNITY, Level.ESTATE, Level.BUILDING_GROUP]
    # The region kind each level sits on (a 小区 is a grid of the tree, or its own "estate" region).
    REGION_KIND = {Level.STREET_COMMITTEE: Region.Kind.STREET, Level.COMMUNITY: Region.Kind.COMMUNITY,
                   Level.ESTATE: Region.Kind.GRID, Level.BUILDING_GROUP: Region.Kind.BUILDING}
    # Grassroots organisations answer for the yearly quota of practical things.
    GRASSROOTS = frozenset({Level.COMMUNITY, Level.ESTATE, Level.BUILDING_GROUP})

    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="children",
                               verbose_name=_("上级党组织"))
    level = models.CharField(_("层级"), max_length=20, choices=Level.choices)
    name = models.CharField(_("名称"), max_length=100)
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="party_organisations",
                               verbose_name=_("所在区域"))
    secretary = models.ForeignKey("PartyMember", null=True, blank=True, on_delete=models.SET_NULL,
                                  related_name="+", verbose_name=_("书记"))

    class Meta:
        verbose_name = _("党组织")
        verbose_name_plural = _("党组织")
        ordering = ["path"]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        expected_kind = self.REGION_KIND[self.level]
        estate_node = self.level == self.Level.ESTATE and self.region_id and self.region.kind == Region.Kind.ESTATE
        if self.region_id and self.region.kind != expected_kind and not estate_node:
            raise ValidationError({"region": _("%(level)s应设在%(kind)s一级。") % {
                "level": self.get_level_display(), "kind": Region.Kind(expected_kind).label}})
        if self.parent is None:
            if self.level != self.Level.STREET_COMMITTEE:
                raise ValidationError({"parent": _("只有街道党工委可以没有上级党组织。")})
            return
        if self.LEVEL_ORDER.index(self.level) != self.LEVEL_ORDER.index(self.parent.level) + 1:
            raise ValidationError({"level": _("层级必须比上级党组织低一级。")})

    @property
    def is_grassroots(self) -> bool:
        return self.level in self.GRASSROOTS


class PartyMember(models.Model):
    resident = models.OneToOneField(Resident, on_delete=models.PROTECT, related_name="party_member",
                                    verbose_name=_("居民"))
    organisation = models.ForeignKey(PartyOrganisation, null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="members", verbose_name=_("所在党组织"),
                                     help_text=_("在职党员的组织关系在单位时可不填"))
    in_service = models.BooleanField(_("在职党员"), default=False)
    workplace = models.CharField(_("工作单位"), max_length=100, blank=True)
    reporting_community = models.ForeignKey(
        Region, null=True, blank=True, on_delete=models.PROTECT, related_name="reporting_party_members",
        limit_choices_to={"kind": Region.Kind.COMMUNITY}, verbose_name=_("报到社区"),
        help_text=_("双报到：在职党员到居住地社区报到"))
    central_household = models.BooleanField(_("党员中心户"), default=False)
    building = models.ForeignKey(Region, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                                 limit_choices_to={"kind": Region.Kind.BUILDING}, verbose_name=_("所住楼栋"))
    joined_on = models.DateField(_("入党日期"), null=True, blank=True)
    active = models.BooleanField(_("在册"), default=True)
    user = models.OneToOneField(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                related_name="party_member", verbose_name=_("登录账号"))

    class Meta:
        verbose_name = _("党员")
        verbose_name_plural = _("党员")

    def __str__(self) -> str:
        return self.resident.name

    def clean(self) -> None:
        if self.organisation_id is None and not self.in_service:
            raise ValidationError({"organisation": _("非在职党员必须有所在党组织。")})
        if self.in_service and self.reporting_community_id is None:
            raise ValidationError({"reporting_community": _("在职党员须到居住地社区报到。")})
        if self.central_household and self.building_id is None:
            raise ValidationError({"building": _("党员中心户须注明所住楼栋。")})
