"""The administration area's sections: one registry, read by one set of views and templates
(``setup.area``).

A section names its model, its forms, where its rows lie on the region tree (the lookup that scopes
it to an administrator's territory), the columns of its list and the service that saves it; a row
of a child section (a station's agents, a supermarket's goods, an account's posts) is created from
its parent's page.  Adding a section is adding an entry here, not writing views."""

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import Model, Q, QuerySet
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from minsheng.assessment.models import Rule
from minsheng.homecare.models import ProviderContract
from minsheng.knowledge.models import Article
from minsheng.ledger.models import Item, Supermarket
from minsheng.notifications.models import SmsTemplateCode
from minsheng.organisation.models import Membership, Region, Unit
from minsheng.party.models import PartyMember, PartyOrganisation
from minsheng.people.validation import mask_phone
from minsheng.stations.models import Agent, Station

from . import forms, services
from .access import EVERYWHERE


@dataclass(frozen=True)
class Action:
    """A thing done to one row besides editing it (reset a password, restock), with its form."""

    key: str
    label: Promise
    form: type | None
    run: Callable[..., Any]  # (actor, paths, row, cleaned data) → a message, or the one-time secret
    shows_secret: bool = False  # the result is shown once on the page, never put in a message
    confirm: Promise | None = None


@dataclass(frozen=True)
class Section:
    key: str
    title: Promise
    model: type[Model]
    form: type
    save: Callable[..., Model]  # (actor, paths, row, cleaned data) → the saved row
    # The lookup from a row to its Region (a queryset path); None: one for the whole tree, kept by
    # the administrators of a whole tree only.
    region: str | None
    columns: tuple[tuple[str, Promise], ...]
    search: tuple[str, ...] = ()
    create_form: type | None = None
    create: Callable[..., tuple[Model, str | None]] | None = None  # when creating differs from saving
    creatable: bool = True
    parent: str | None = None  # the parent section's key; its row is the child's ``parent_field``
    parent_field: str | None = None
    base: Callable[[], QuerySet] | None = None
    actions: tuple[Action, ...] = ()
    # Further (object type, ids) whose changes belong on this row's history (an account's posts).
    related_history: Callable[[Model], list[tuple[str, list[str]]]] | None = None
    help: Promise | None = None
    children: list["Section"] = field(default_factory=list)

    @property
    def object_type(self) -> str:
        return self.model._meta.label_lower

    def rows(self) -> QuerySet:
        return self.base() if self.base is not None else self.model._default_manager.all()

    def scoped(self, paths: list[str]) -> QuerySet:
        """The rows of the territory at ``paths``."""
        rows = self.rows()
        if self.region is None:
            return rows if services.whole_tree(paths) else rows.none()
        if EVERYWHERE in paths:
            return rows
        q = Q(pk__in=[])
        for p in paths:
            q |= Q(**{f"{self.region}__path__startswith": p})
        return rows.filter(q).distinct() if "memberships" in self.region else rows.filter(q)

    def visible_to(self, paths: list[str]) -> bool:
        return self.region is not None or services.whole_tree(paths)


def _restock(actor, paths, item, data):
    from minsheng.ledger.services import restock

    record = restock(actor, item.pk, quantity=data["quantity"], source=data.get("source", ""))
    return _("已补货 %(n)d 件，“%(item)s”现有库存 %(stock)d。") % {
        "n": record.quantity, "item": item.name, "stock": record.stock_after}


def _set_rule(actor, paths, rule, data):
    from minsheng.assessment.rules import set_rule

    return set_rule(actor, **data)


def _save_account(actor, paths, user, data):
    return services.save_account(actor, paths, user, data)


def _posts_of(user) -> list[tuple[str, list[str]]]:
    return [("organisation.membership", [str(pk) for pk in user.memberships.values_list("pk", flat=True)])]


def _unit_of_station(station) -> list[tuple[str, list[str]]]:
    return [("organisation.unit", [str(station.unit_id)])]


def _roles(user) -> str:
    return "、".join(f"{m.unit.name}·{m.get_role_display()}" + ("" if m.active else "（已停用）")
                    for m in user.memberships.all())


User = get_user_model()

SECTIONS: list[Section] = [
    Section("units", _("单位"), Unit, forms.UnitForm, services.save_unit, "region",
            (("name", _("名称")), ("get_kind_display", _("类型")), ("code", _("编码")), ("region", _("所在区域")),
             ("parent", _("上级单位")), ("active", _("启用"))),
            search=("name", "code"), base=lambda: Unit.objects.select_related("region", "parent").order_by("path"),
            help=_("新建、改名、调整上级单位（在管辖范围内）、停用单位。")),
    Section("accounts", _("账号与角色"), User, forms.AccountForm, _save_account, "memberships__unit__region",
            (("username", _("用户名")), ("first_name", _("姓名")), ("roles", _("岗位")), ("is_active", _("启用"))),
            search=("username", "first_name"), create_form=forms.AccountCreateForm, create=services.create_account,
            base=lambda: User.objects.prefetch_related("memberships__unit").order_by("username"),
            related_history=_posts_of,
            actions=(Action("password", _("重置密码"), None,
                            lambda actor, paths, user, data: services.reset_password(actor, paths, user),
                            shows_secret=True,
                            confirm=_("重置后旧密码立即失效，新的一次性密码只显示一次。确定重置吗？")),),
            help=_("新建工作人员账号并分配角色，停用账号，重置密码。")),
    Section("posts", _("岗位"), Membership, forms.PostForm, services.save_post, "unit__region",
            (("user", _("账号")), ("unit", _("单位")), ("get_role_display", _("角色")), ("region", _("负责区域")),
             ("active", _("有效"))),
            parent="accounts", parent_field="user",
            base=lambda: Membership.objects.select_related("user", "unit", "region").order_by("user__username")),
    Section("stations", _("代办站"), Station, forms.StationForm, services.save_station, "unit__region",
            (("name", _("名称")), ("get_tier_display", _("层级")), ("address", _("地址")),
             ("unit.region", _("所在区域")), ("unit.active", _("启用"))),
            search=("unit__name", "address"), base=lambda: Station.objects.select_related("unit__region"),
            related_history=_unit_of_station, help=_("代办站及其代办员。")),
    Section("agents", _("代办员"), Agent, forms.AgentForm, services.save_agent, "station__unit__region",
            (("resident.name", _("姓名")), ("phone", _("手机号码")), ("station", _("代办站")),
             ("get_kind_display", _("类型")), ("active", _("在岗"))),
            search=("resident__name",), create_form=forms.AgentCreateForm, parent="stations", parent_field="station",
            base=lambda: Agent.objects.select_related("resident", "station__unit")),
    Section("supermarkets", _("爱心超市"), Supermarket, forms.SupermarketForm,
            partial(services.save_fields, regions=("region",)), "region",
            (("name", _("名称")), ("region", _("所在区域")), ("address", _("地址"))),
            search=("name",), base=lambda: Supermarket.objects.select_related("region").order_by("name"),
            help=_("爱心超市、兑换物品和补货。")),
    Section("goods", _("兑换物品"), Item, forms.ItemForm, services.save_fields, "supermarket__region",
            (("name", _("物品")), ("supermarket", _("爱心超市")), ("points", _("所需积分")), ("stock", _("库存")),
             ("active", _("上架"))),
            search=("name",), parent="supermarkets", parent_field="supermarket",
            base=lambda: Item.objects.select_related("supermarket"),
            actions=(Action("restock", _("补货"), forms.RestockForm, _restock),)),
    Section("party", _("党组织"), PartyOrganisation, forms.PartyOrganisationForm,
            partial(services.save_fields, regions=("region",)), "region",
            (("name", _("名称")), ("get_level_display", _("层级")), ("region", _("所在区域")),
             ("parent", _("上级党组织"))),
            search=("name",), base=lambda: PartyOrganisation.objects.select_related("region", "parent"),
            help=_("街道党工委、社区党组织、小区党组织和楼栋党小组，及各组织的党员。")),
    Section("members", _("党员"), PartyMember, forms.PartyMemberForm, services.save_party_member,
            "organisation__region",
            (("resident.name", _("姓名")), ("phone", _("手机号码")), ("organisation", _("所在党组织")),
             ("in_service", _("在职党员")), ("central_household", _("党员中心户")), ("active", _("在册"))),
            search=("resident__name",), create_form=forms.PartyMemberCreateForm, parent="party",
            parent_field="organisation",
            base=lambda: PartyMember.objects.select_related("resident", "organisation")),
    Section("contracts", _("养老服务合同"), ProviderContract, forms.ContractForm,
            partial(services.save_fields, units=("provider",)), "provider__region",
            (("provider", _("服务商")), ("start", _("合同开始")), ("end", _("合同结束")),
             ("get_status_display", _("状态"))),
            search=("provider__name",), base=lambda: ProviderContract.objects.select_related("provider"),
            help=_("居家养老服务商（类型为养老服务商的单位）及其服务合同。")),
    Section("knowledge", _("知识库维护单位"), Article, forms.OwnerUnitForm, services.save_owner_unit,
            "owner_unit__region",
            (("title", _("标题")), ("owner_unit", _("维护单位")), ("get_status_display", _("状态")),
             ("review_by", _("复审日期"))),
            search=("title",), creatable=False, base=lambda: Article.objects.select_related("owner_unit"),
            help=_("知识库文章由哪个单位维护（内容在知识库页面编写）。")),
    Section("sms", _("短信模板"), SmsTemplateCode, forms.SmsTemplateForm, services.save_fields, None,
            (("message", _("消息")), ("sms_text", _("短信内容")), ("code", _("模板编号")), ("note", _("备注"))),
            search=("message", "code"),
            help=_("每条短信在服务商处审核通过的模板编号（全市统一，由最高一级管理员填写）。")),
    Section("rules", _("考核规则"), Rule, forms.RuleForm, _set_rule, None,
            (("effective_from", _("生效月份")), ("weight_response", _("响应率权重（%）")),
             ("weight_resolution", _("解决率权重（%）")), ("weight_satisfaction", _("满意率权重（%）")),
             ("min_volume", _("参与排名的最少件数"))),
            help=_("考核权重和参数（全市/全区统一，由最高一级管理员设置）。")),
]
BY_KEY = {s.key: s for s in SECTIONS}
for _section in SECTIONS:
    if _section.parent:
        BY_KEY[_section.parent].children.append(_section)
# Choices of a scoped model in a form list only the territory's rows (and the value already set).
SCOPED_CHOICES: dict[type[Model], str] = {Region: "", Unit: "region__", Station: "unit__region__",
                                          Supermarket: "region__", PartyOrganisation: "region__"}


def cell(row: Model, attribute: str) -> Any:
    """One list cell: an attribute path ("unit.region"), a display method, or a computed column."""
    if attribute == "roles":
        return _roles(row)
    if attribute == "phone":
        return mask_phone(row.resident.phone)  # the list needs no full number
    value: Any = row
    for step in attribute.split("."):
        value = getattr(value, step, None)
        if callable(value):
            value = value()
        if value is None:
            return ""
    return value
