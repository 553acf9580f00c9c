"""What feeds the audit log: Django's sign-in signals, saves and deletes of the configuration
tables (whoever makes them: the admin, a page, a command), the admin's own change log, and every
personal-data access row.  Connected once, in ``AuditConfig.ready``."""

import functools
from datetime import datetime
from decimal import Decimal

from django.apps import apps
from django.conf import settings
from django.contrib.admin.models import ADDITION, CHANGE, DELETION, LogEntry
from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_save
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from minsheng.people.validation import mask_phone

from . import services
from .context import actor
from .models import AuditEntry

# The configuration tables: who may do what where (accounts, roles, groups, second factors, API
# keys), and the rules the platform runs by (catalogue, time limits, dispatch, calendar,
# assessment, home-care grades, the router's active model).
CONFIGURATION_MODELS = (
    "auth.User", "auth.Group", "organisation.Membership", "organisation.Unit",
    "catalogue.DemandType", "catalogue.Category", "catalogue.TimeLimitPolicy", "catalogue.DispatchRule",
    "catalogue.CalendarOverride", "catalogue.ServiceAttribute", "assessment.Rule", "homecare.GradePolicy",
    "integrations.ApiKey", "routing.RouterModel", "otp_totp.TOTPDevice", "otp_static.StaticDevice",
    "projects.StatusColour",
    # Set up in the workbench's administration area (setup.sections) as well as the admin.
    "stations.Station", "stations.Agent", "ledger.Supermarket", "ledger.Item", "party.PartyOrganisation",
    "party.PartyMember", "homecare.ProviderContract", "notifications.SmsTemplateCode",
    # Set up by community and street staff in the workbench (their own pages).
    "eldercare.Facility", "eldercare.Room", "grids.Chief", "cobuild.MemberUnit", "cobuild.Resource", "cobuild.Offer",
)
# Where each watched model's row lies on the region tree (a lookup to a Region, as in a queryset),
# so that the recent changes of a territory list it; a model not named here (the catalogue, the
# assessment rule) is set for everyone and only administrators of a whole tree read its changes.
REGION_OF = {
    "organisation.unit": "region", "organisation.membership": "unit__region",
    "stations.station": "unit__region", "stations.agent": "station__unit__region",
    "ledger.supermarket": "region", "ledger.item": "supermarket__region", "party.partyorganisation": "region",
    "party.partymember": "resident__region", "homecare.providercontract": "provider__region",
    "catalogue.dispatchrule": "region", "knowledge.article": "owner_unit__region",
    "eldercare.facility": "region", "eldercare.room": "facility__region", "grids.chief": "region",
    "cobuild.memberunit": "alliance__region", "cobuild.resource": "member__alliance__region",
    "cobuild.offer": "member__alliance__region",
}
# A person's phone on a configuration row is kept masked in the history, as on every page.
MASKED_FIELDS = frozenset({"cobuild.memberunit.contact_phone", "grids.chief.phone"})
# Saves touching only these fields are no configuration change (every sign-in writes last_login;
# a tree node's path and depth follow from its parent, whose change is recorded).
IGNORED_FIELDS = frozenset({"last_login", "path", "depth"})
# Values never written to the log, only that they changed.
SECRET_MARKERS = ("password", "key", "secret", "token", "hash")
_OLD = "_audit_old_values"


def _in_site_language(receiver):
    """Entries are written in the site's language (Chinese), whatever the acting user reads: one
    log reads alike for every change.  The page and the export translate the action labels."""
    @functools.wraps(receiver)
    def wrapper(*args, **kwargs):
        with translation.override(settings.LANGUAGE_CODE):
            return receiver(*args, **kwargs)

    return wrapper


def _label(instance) -> str:
    return f"{instance._meta.verbose_name} #{instance.pk} {instance}"[:300]


def region_path_of(instance) -> str:
    """The path of the region ``instance`` lies in ("" when it is set for everyone or lies nowhere
    yet); an account lies where its first post is."""
    label = instance._meta.label_lower
    if label == settings.AUTH_USER_MODEL.lower():
        post = instance.memberships.select_related("unit__region").order_by("pk").first() if instance.pk else None
        return post.unit.region.path if post is not None else ""
    lookup = REGION_OF.get(label)
    if lookup is None:
        return ""
    node = instance
    for step in lookup.split("__"):
        node = getattr(node, step, None)
        if node is None:
            return ""
    return node.path


def _personal(model, name: str) -> bool:
    return f"{model._meta.label_lower}.{name}" in MASKED_FIELDS


def value_labels(field) -> dict:
    """The labels of a field's stored codes: its choices, or for a list of codes (a JSON field)
    the map its model declares in ``HISTORY_LABELS`` ({field name: choices}), e.g. a place's
    services."""
    if field.choices:
        return dict(field.flatchoices)
    declared = getattr(field.model, "HISTORY_LABELS", {}).get(field.name)
    return dict(declared) if declared else {}


def _readable(field, value) -> str:
    """A value as the history page shows it: a related row by its name, a choice by its label (a
    list of codes by theirs), a moment in local time."""
    if any(marker in field.attname.lower() for marker in SECRET_MARKERS):
        return "***"
    if value and _personal(field.model, field.attname):
        return mask_phone(str(value))
    if value is None or value == "":
        return ""
    if field.is_relation and field.related_model is not None:
        related = field.related_model._default_manager.filter(pk=value).first()
        return f"{related} (#{value})" if related is not None else f"#{value}"
    labels = value_labels(field)
    if labels and not isinstance(value, list):
        return str(labels.get(value, value))
    if isinstance(value, bool):
        return _("是") if value else _("否")
    if isinstance(value, list) and all(isinstance(v, str | int) for v in value):
        return "、".join(str(labels.get(v, v)) for v in value)  # a JSON list of codes, not its Python repr
    if isinstance(value, datetime):
        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M:%S") if timezone.is_aware(value) else str(value)
    if isinstance(value, Decimal) and getattr(field, "decimal_places", None) is not None:
        return str(value.quantize(Decimal(1).scaleb(-field.decimal_places)))  # as stored: 20 → 20.00
    return str(value)


def field_changes(model, old: dict, new: dict) -> list[dict]:
    """[{"field", "label", "before", "after"}] for each concrete field whose value differs."""
    changes = []
    for f in model._meta.concrete_fields:
        name = f.attname
        if name in IGNORED_FIELDS or name == "id" or old.get(name) == new.get(name) or (
                old.get(name) in (None, "", [], {}) and new.get(name) in (None, "", [], {})):
            continue
        changes.append({"field": name, "label": str(f.verbose_name), "before": _readable(f, old.get(name)),
                        "after": _readable(f, new.get(name))})
    return changes


def record_change(instance, action: str, old: dict, new: dict, *, detail: str = "") -> None:
    """One configuration entry naming ``instance``, its region and its fields before → after (also
    for a change made by a service outside the watched saves, such as an article's owner unit)."""
    changes = field_changes(type(instance), old, new)
    if not changes and action != _("删除"):
        return
    services.record(AuditEntry.Kind.CONFIGURATION, action=action, target=_label(instance), detail=detail,
                    object_type=instance._meta.label_lower, object_id=str(instance.pk), changes=changes,
                    region_path=region_path_of(instance))


def _values(instance) -> dict[str, object]:
    return {f.attname: getattr(instance, f.attname) for f in instance._meta.concrete_fields}


def _shown(name: str, value: object, model=None) -> str:
    if any(marker in name.lower() for marker in SECRET_MARKERS):
        return "***"
    if value and model is not None and _personal(model, name):
        return mask_phone(str(value))
    return "" if value is None else str(value)


def _remember(sender, instance, raw=False, update_fields=None, **kwargs) -> None:
    if raw or instance._state.adding or instance.pk is None:
        return
    if update_fields is not None and set(update_fields) <= IGNORED_FIELDS:
        return  # a sign-in's last_login: no extra read on every sign-in
    old = sender._default_manager.filter(pk=instance.pk).values(*[f.attname for f in sender._meta.concrete_fields]
                                                                ).first()
    setattr(instance, _OLD, old)


@_in_site_language
def _saved(sender, instance, created, raw=False, update_fields=None, **kwargs) -> None:
    if raw or (update_fields is not None and set(update_fields) <= IGNORED_FIELDS):
        return
    values = _values(instance)
    if created:
        detail = "; ".join(f"{name}={_shown(name, value, sender)}" for name, value in values.items()
                           if name != "id" and name not in IGNORED_FIELDS and value not in (None, ""))
        record_change(instance, _("新增"), {}, values, detail=detail)
        return
    old = getattr(instance, _OLD, None) or {}
    new = {name: value for name, value in values.items() if name in old}
    changes = [f"{name}: {_shown(name, old.get(name), sender)} → {_shown(name, value, sender)}"
               for name, value in new.items() if name not in IGNORED_FIELDS and old[name] != value]
    if changes:
        record_change(instance, _("修改"), old, new, detail="; ".join(changes))


@_in_site_language
def _deleted(sender, instance, **kwargs) -> None:
    services.record(AuditEntry.Kind.CONFIGURATION, action=_("删除"), target=_label(instance),
                    object_type=instance._meta.label_lower, object_id=str(instance.pk),
                    changes=field_changes(sender, _values(instance), {}), region_path=region_path_of(instance))


_BEFORE = "_audit_related_before"
# A watched model's many-to-many field by its through table (filled by ``connect``).
_RELATIONS: dict[type, object] = {}


def _related_names(instance, field) -> list[str]:
    return sorted(str(o) for o in getattr(instance, field.name).all())


@_in_site_language
def _relations_changed(sender, instance, action, model, pk_set, reverse=False, **kwargs) -> None:
    """A many-to-many field of a configuration table (an account's groups, a contract's services
    and communities, a place's staff, a member unit's communities): one entry per add, remove or
    clear, naming what was added or removed and the whole field before → after."""
    field = _RELATIONS.get(sender)
    if action in {"pre_add", "pre_remove", "pre_clear"}:
        if field is not None and not reverse:
            befores = instance.__dict__.setdefault(_BEFORE, {})
            befores[field.name] = _related_names(instance, field)
        return
    if action not in {"post_add", "post_remove", "post_clear"}:
        return
    names = {"post_add": _("添加"), "post_remove": _("移除"), "post_clear": _("清空")}
    related = ", ".join(str(o) for o in model._default_manager.filter(pk__in=pk_set or [])) if pk_set else ""
    changes, what = None, model._meta.verbose_name
    if field is not None and not reverse:
        before = instance.__dict__.get(_BEFORE, {}).pop(field.name, None)
        after = _related_names(instance, field)
        if before == after:
            return  # nothing added or removed (an add of what was there)
        label = what = str(field.verbose_name)
        changes = [{"field": field.name, "label": label, "before": "、".join(before or []),
                    "after": "、".join(after)}]
    services.record(AuditEntry.Kind.CONFIGURATION, action=f"{names[action]} {what}",
                    target=_label(instance), detail=related, object_type=instance._meta.label_lower,
                    object_id=str(instance.pk), changes=changes, region_path=region_path_of(instance))


@_in_site_language
def _admin_logged(sender, instance: LogEntry, created, raw=False, **kwargs) -> None:
    if raw or not created:
        return
    flag = {ADDITION: _("后台新增"), CHANGE: _("后台修改"), DELETION: _("后台删除")}
    target = f"{instance.content_type.name if instance.content_type else ''} #{instance.object_id} " \
             f"{instance.object_repr}"
    services.record(AuditEntry.Kind.CONFIGURATION, user=instance.user, action=flag.get(instance.action_flag, ""),
                    target=target, detail=instance.get_change_message())


def _signed_in(sender, request, user, **kwargs) -> None:
    services.record(AuditEntry.Kind.SIGN_IN, who=actor(request), user=user, action=request.path[:100])


def _sign_in_failed(sender, credentials, request=None, **kwargs) -> None:
    # ``credentials`` holds what was typed; only the username is kept, never the password.
    username = str(credentials.get(get_user_model().USERNAME_FIELD) or credentials.get("username") or "")
    services.record(AuditEntry.Kind.SIGN_IN_FAILED, who=actor(request), username=username,
                    action=request.path[:100] if request is not None else "")


def _signed_out(sender, request, user, **kwargs) -> None:
    services.record(AuditEntry.Kind.SIGN_OUT, who=actor(request), user=user,
                    username=user.get_username() if user is not None else "",
                    action=request.path[:100] if request is not None else "")


@_in_site_language
def _personal_data_viewed(sender, instance, created, raw=False, **kwargs) -> None:
    if raw or not created:
        return
    target = (_("居民 #%(id)s") % {"id": instance.resident_id}) if instance.resident_id else instance.subject
    detail = instance.purpose + (f" ({instance.subject})" if instance.subject and instance.resident_id else "")
    services.record(AuditEntry.Kind.PERSONAL_DATA, user=instance.viewer, action=instance.fields, target=target,
                    detail=detail, at=instance.at)


def connect() -> None:
    for label in CONFIGURATION_MODELS:
        try:
            model = apps.get_model(label)
        except LookupError:  # an optional app not installed
            continue
        uid = f"audit:{label}"
        pre_save.connect(_remember, sender=model, dispatch_uid=uid)
        post_save.connect(_saved, sender=model, dispatch_uid=uid)
        post_delete.connect(_deleted, sender=model, dispatch_uid=uid)
        for field in model._meta.local_many_to_many:  # its relations: each add, remove, clear
            _RELATIONS[field.remote_field.through] = field
            m2m_changed.connect(_relations_changed, sender=field.remote_field.through,
                                dispatch_uid=f"audit:{field.remote_field.through._meta.label}")
    post_save.connect(_admin_logged, sender=LogEntry, dispatch_uid="audit:admin")
    user_logged_in.connect(_signed_in, dispatch_uid="audit:signed_in")
    user_login_failed.connect(_sign_in_failed, dispatch_uid="audit:sign_in_failed")
    user_logged_out.connect(_signed_out, dispatch_uid="audit:signed_out")
    post_save.connect(_personal_data_viewed, sender=apps.get_model("people", "PersonalDataAccess"),
                      dispatch_uid="audit:personal_data")
