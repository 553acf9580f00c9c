"""The audit log: one append-only table of what 等保 2.0 asks to keep for six months and to hand
to auditors — sign-ins (successful and failed), sign-outs, configuration changes and views of
residents' personal data.

Rows are written by ``audit.services`` (called from the signal receivers in ``audit.signals``)
and never changed: ``save`` of a stored row, ``delete`` and the queryset's ``update`` and
``delete`` are refused, the database refuses UPDATE (migration 0002), and the admin is read-only.
Only ``services.purge`` removes rows, and only those older than the retention."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from minsheng.core.errors import MinshengError


class AuditLogProtected(MinshengError):
    """An attempt to change or remove audit records other than by the retention purge."""

    code = "audit_protected"
    status = 403


class AuditEntryQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AuditLogProtected(_("审计记录不可修改。"))

    def delete(self):
        raise AuditLogProtected(_("审计记录在保存期内不可删除。"))


class AuditEntry(models.Model):
    class Kind(models.TextChoices):
        SIGN_IN = "sign_in", _("登录成功")
        SIGN_IN_FAILED = "sign_in_failed", _("登录失败")
        SIGN_OUT = "sign_out", _("退出登录")
        CONFIGURATION = "configuration", _("配置变更")
        PERSONAL_DATA = "personal_data", _("个人信息查看")

    kind = models.CharField(_("类别"), max_length=24, choices=Kind.choices)
    at = models.DateTimeField(_("时间"), default=timezone.now, db_index=True)
    # The account as it was named then (kept when the account is later renamed or removed: no
    # constraint and nothing done on delete, since an entry is never updated, not even to NULL).
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.DO_NOTHING,
                             db_constraint=False, related_name="+", verbose_name=_("账号"))
    username = models.CharField(_("用户名"), max_length=150, blank=True, db_index=True)
    client_address = models.CharField(_("客户端地址"), max_length=64, blank=True)
    action = models.CharField(_("操作"), max_length=100, blank=True)
    target = models.CharField(_("对象"), max_length=300, blank=True)
    detail = models.TextField(_("详情"), blank=True)
    request_id = models.CharField(_("请求编号"), max_length=32, blank=True)
    # A configuration change names its object (model label and key), lists its fields before and
    # after ([{"field", "label", "before", "after"}]) and carries the region path the object lies in,
    # so an administrator reads an object's history and the recent changes of their own territory.
    # Nullable: added to a table whose rows are never updated (SQLite adds such a column in place,
    # keeping the table and its trigger).
    object_type = models.CharField(_("对象类型"), max_length=100, null=True, blank=True)
    object_id = models.CharField(_("对象编号"), max_length=64, null=True, blank=True)
    changes = models.JSONField(_("变更前后"), null=True, blank=True)
    region_path = models.CharField(_("所在区域路径"), max_length=255, null=True, blank=True)

    objects = AuditEntryQuerySet.as_manager()

    class Meta:
        verbose_name = _("审计记录")
        verbose_name_plural = _("审计记录")
        ordering = ["-at", "-pk"]
        indexes = [models.Index(fields=["kind", "at"], name="audit_kind_at"),
                   models.Index(fields=["object_type", "object_id"], name="audit_object")]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M:%S} {self.get_kind_display()} {self.username}"

    def save(self, *args, **kwargs) -> None:
        if not self._state.adding:
            raise AuditLogProtected(_("审计记录不可修改。"))
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AuditLogProtected(_("审计记录在保存期内不可删除。"))
