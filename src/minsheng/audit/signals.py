"""What feeds the audit log: Django's sign-in signals, saves and deletes of the configuration
tables (whoever makes them: the admin, a page, a command), the admin's own change log, and every
personal-data access row.  Connected once, in ``AuditConfig.ready``."""

import functools

from django.apps import apps
from django.conf import settings
from django.contrib.admin.models import ADDITION, CHANGE, DELETION, LogEntry
from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_save
from django.utils import translation
from django.utils.translation import gettext as _

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
)
# Saves touching only these fields are no configuration change (every sign-in writes last_login).
IGNORED_FIELDS = frozenset({"last_login"})
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


def _values(instance) -> dict[str, object]:
    return {f.attname: getattr(instance, f.attname) for f in instance._meta.concrete_fields}


def _shown(name: str, value: object) -> str:
    if any(marker in name.lower() for marker in SECRET_MARKERS):
        return "***"
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
    if created:
        detail = "; ".join(f"{name}={_shown(name, value)}" for name, value in _values(instance).items()
                           if name != "id" and name not in IGNORED_FIELDS and value not in (None, ""))
        services.record(AuditEntry.Kind.CONFIGURATION, action=_("新增"), target=_label(instance), detail=detail)
        return
    old = getattr(instance, _OLD, None) or {}
    changes = [f"{name}: {_shown(name, old.get(name))} → {_shown(name, value)}"
               for name, value in _values(instance).items()
               if name not in IGNORED_FIELDS and name in old and old[name] != value]
    if changes:
        services.record(AuditEntry.Kind.CONFIGURATION, action=_("修改"), target=_label(instance),
                        detail="; ".join(changes))


@_in_site_language
def _deleted(sender, instance, **kwargs) -> None:
    services.record(AuditEntry.Kind.CONFIGURATION, action=_("删除"), target=_label(instance))


@_in_site_language
def _relations_changed(sender, instance, action, model, pk_set, reverse=False, **kwargs) -> None:
    if action not in {"post_add", "post_remove", "post_clear"}:
        return
    names = {"post_add": _("添加"), "post_remove": _("移除"), "post_clear": _("清空")}
    related = ", ".join(str(o) for o in model._default_manager.filter(pk__in=pk_set or [])) if pk_set else ""
    services.record(AuditEntry.Kind.CONFIGURATION, action=f"{names[action]} {model._meta.verbose_name}",
                    target=_label(instance), detail=related)


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
    user_model = get_user_model()
    group_model = apps.get_model("auth", "Group")
    for relation in (user_model.groups.through, user_model.user_permissions.through, group_model.permissions.through):
        m2m_changed.connect(_relations_changed, sender=relation, dispatch_uid=f"audit:{relation._meta.label}")
    post_save.connect(_admin_logged, sender=LogEntry, dispatch_uid="audit:admin")
    user_logged_in.connect(_signed_in, dispatch_uid="audit:signed_in")
    user_login_failed.connect(_sign_in_failed, dispatch_uid="audit:sign_in_failed")
    user_logged_out.connect(_signed_out, dispatch_uid="audit:signed_out")
    post_save.connect(_personal_data_viewed, sender=apps.get_model("people", "PersonalDataAccess"),
                      dispatch_uid="audit:personal_data")
