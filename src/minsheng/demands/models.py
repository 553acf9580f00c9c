"""Demand (the projection of its events) and DemandEvent (the append-only log)."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from minsheng.catalogue.models import Category, DemandType, TimeLimitPolicy
from minsheng.organisation.models import Region, Unit
from minsheng.people.models import Resident

from .workflow import Channel, Kind, Satisfaction, Solved, State, action_label


class Demand(models.Model):
    """A demand's current state.  Every field below ``number`` is derived from the events
    (see ``projection.py``); only the services write it, and always with an event."""

    number = models.CharField(_("工单编号"), max_length=20, unique=True)
    # No index on the kind, the type, the urgency (a handful of values each, no read filters on
    # one of them) nor on the region and the handling unit (the indexes below that start with
    # them serve): every index costs each write, the bulk import's most (docs/benchmarks.md, "Indexes").
    kind = models.CharField(_("类别"), max_length=16, choices=Kind.choices, default=Kind.DEMAND)
    channel = models.CharField(_("渠道"), max_length=16, choices=Channel.choices)
    demand_type = models.ForeignKey(DemandType, on_delete=models.PROTECT, verbose_name=_("诉求类型"), db_index=False)
    category = models.ForeignKey(Category, null=True, blank=True, on_delete=models.PROTECT, verbose_name=_("分类"))
    title = models.CharField(_("标题"), max_length=100)
    description = models.TextField(_("诉求内容"))
    address = models.CharField(_("地址"), max_length=255, blank=True)
    latitude = models.DecimalField(_("纬度"), max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(_("经度"), max_digits=9, decimal_places=6, null=True, blank=True)
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="demands", verbose_name=_("所属区域"),
                               db_index=False)
    reporter = models.ForeignKey(Resident, null=True, blank=True, on_delete=models.PROTECT, related_name="demands",
                                 verbose_name=_("诉求人"))
    hide_name = models.BooleanField(_("隐藏姓名"), default=False)
    consent = models.BooleanField(_("同意隐私告知"), default=False)
    # 同意公开: the reporter agreed that the demand (never their name, phone or address) be shown on
    # the public map and list (maps.public).  Off unless asked for; distinct from ``consent``.
    publish_consent = models.BooleanField(_("同意公开"), default=False, db_default=False)
    vulnerable = models.BooleanField(_("困难群体"), default=False)
    urgency = models.ForeignKey(TimeLimitPolicy, on_delete=models.PROTECT, verbose_name=_("紧急程度"), db_index=False)
    # Set on few demands, never at registration: a partial index (Meta.indexes), as for the
    # assignee and the merge target, which no new demand has either.
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="children",
                               verbose_name=_("上级案件"), db_index=False)
    registered_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                      related_name="+", verbose_name=_("登记人"))
    # 首问负责: the first unit (and person) that took the demand in — the staff who registered it, or
    # for a resident's own report the first staff who acted on it.  That unit answers for it until it
    # is closed: it keeps read access and hears of every turn (projection.apply_event sets it).
    first_receiver_unit = models.ForeignKey(Unit, null=True, blank=True, on_delete=models.PROTECT,
                                            related_name="+", verbose_name=_("首问单位"), db_index=False)
    first_receiver = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                       related_name="+", verbose_name=_("首问人"), db_index=False)

    # No index of its own: the indexes below that start with the state serve every filter on it.
    state = models.CharField(_("状态"), max_length=20, choices=State.choices)
    version = models.PositiveIntegerField(_("版本"), default=0)
    handling_unit = models.ForeignKey(Unit, null=True, blank=True, on_delete=models.PROTECT,
                                      related_name="demands", verbose_name=_("承办单位"), db_index=False)
    assignee = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                 related_name="+", verbose_name=_("承办人"), db_index=False)
    # A skills team (代办能人队) or a 帮扶小分队 the case was given to ("skill:<id>" / "team:<id>"),
    # whose members claim it (stations.teamwork); empty for most cases.
    assigned_team = models.CharField(_("服务队"), max_length=24, blank=True, default="", db_default="")
    contact_due = models.DateTimeField(_("联系时限"), null=True, blank=True)
    # A full index, not a partial one (WHERE handle_due IS NOT NULL): with one, SQLite's planner
    # picked it for the overdue list (handle_due < now: most closed demands) over (state, handle_due).
    handle_due = models.DateTimeField(_("办理时限"), null=True, blank=True, db_index=True)
    contacted_at = models.DateTimeField(_("首次联系时间"), null=True, blank=True)
    pending_request = models.JSONField(_("待审批申请"), null=True, blank=True)
    suspended_at = models.DateTimeField(_("挂账时间"), null=True, blank=True)
    escalation_level = models.PositiveSmallIntegerField(_("上报层级"), default=0)
    extension_count = models.PositiveSmallIntegerField(_("延期次数"), default=0)
    reopen_count = models.PositiveSmallIntegerField(_("重办次数"), default=0)
    result = models.TextField(_("办理结果"), blank=True)
    satisfaction = models.CharField(_("满意度"), max_length=24, choices=Satisfaction.choices, blank=True)
    solved = models.CharField(_("是否解决"), max_length=16, choices=Solved.choices, blank=True, default="",
                              db_default="")
    close_reason = models.CharField(_("结案/无效说明"), max_length=255, blank=True)
    merged_into = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="merged_demands", verbose_name=_("合并至"), db_index=False)
    registered_at = models.DateTimeField(_("登记时间"), db_index=True)
    dispatched_at = models.DateTimeField(_("派单时间"), null=True, blank=True)
    accepted_at = models.DateTimeField(_("签收时间"), null=True, blank=True)
    resolved_at = models.DateTimeField(_("办结时间"), null=True, blank=True)
    closed_at = models.DateTimeField(_("结案时间"), null=True, blank=True)
    updated_at = models.DateTimeField(_("更新时间"))

    class Meta:
        verbose_name = _("诉求")
        verbose_name_plural = _("诉求")
        ordering = ["-registered_at"]
        indexes = [
            models.Index(fields=["handling_unit", "state"]),
            models.Index(fields=["region", "state"]),
            models.Index(fields=["state", "handle_due"]),
            # The staff list's filters in its default order (newest first, key as tie-breaker), so
            # that its first page reads 25 index entries instead of sorting every match.
            models.Index(fields=["state", "registered_at", "id"], name="demand_state_registered"),
            models.Index(fields=["channel", "registered_at", "id"], name="demand_channel_registered"),
            # The revisit queues: resolved (or revisited) within the revisit window.  Partial, so that
            # registering writes nothing to it; ``resolved_at >= x`` implies the condition.
            models.Index(fields=["state", "resolved_at"], condition=Q(resolved_at__isnull=False),
                         name="demand_state_resolved"),
            # Partial: only the demands that have the column set, which no new demand has, so that
            # registering (one or a file of them) writes none of these.  A filter on the column
            # (``merged_into = x``, the delete collector's ``assignee IN …``)
            # implies it is not null, so SQLite and PostgreSQL use them.
            models.Index(fields=["assignee"], condition=Q(assignee__isnull=False), name="demand_assignee_set"),
            models.Index(fields=["first_receiver_unit", "state"], condition=Q(first_receiver_unit__isnull=False),
                         name="demand_first_receiver_set"),
            models.Index(fields=["merged_into"], condition=Q(merged_into__isnull=False), name="demand_merged_into_set"),
            models.Index(fields=["parent"], condition=Q(parent__isnull=False), name="demand_parent_set"),
            # The approvers' queues: the few demands waiting on an extension or suspension request,
            # instead of every demand in progress (115 ms of the street dispatcher's queue at 1M).
            models.Index(fields=["state"], condition=Q(pending_request__isnull=False),
                         name="demand_pending_request_set"),
            # The overdue lists (dashboard, overview, ``selectors.overdue_q``: running and past the
            # deadline, earliest first): only the demands being handled, in deadline order.  Without it
            # PostgreSQL walked the full handle_due index from the oldest deadline through every closed
            # demand (791,450 rows filtered out, 0.9 s at 1M).  Registering writes nothing to it.  The
            # condition is overdue_q's state list in the same order, so that both planners match it.
            models.Index(fields=["handle_due"], condition=Q(state__in=[State.DISPATCHED, State.IN_PROGRESS]),
                         name="demand_running_due"),
            # The queues' first pages (selectors.queue_runs): vulnerable residents' demands come first
            # within each tier, and a long queue is read run by run; this finds a run's vulnerable ones
            # in each state (for the revisits, by resolution time) without reading the others (the
            # hotline's first page at 1M: its 380 of 11,700 revisits).  Only vulnerable residents'
            # demands (a few in a hundred) are written to it.
            models.Index(fields=["state", "resolved_at"], condition=Q(vulnerable=True), name="demand_vulnerable_state"),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"


class EventQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise TypeError("demand events are append-only")

    def delete(self):
        raise TypeError("demand events are append-only")


class DemandEvent(models.Model):
    """One step of a demand's history.  Never updated, never deleted (the database
    refuses both, see migration 0002)."""

    # No index of its own: the unique (demand, seq) index serves every look-up by demand.
    demand = models.ForeignKey(Demand, on_delete=models.PROTECT, related_name="events", verbose_name=_("诉求"),
                               db_index=False)
    seq = models.PositiveIntegerField(_("序号"))
    action = models.CharField(_("动作"), max_length=32)
    from_state = models.CharField(_("原状态"), max_length=20, blank=True)
    to_state = models.CharField(_("新状态"), max_length=20)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                              related_name="+", verbose_name=_("操作人"))
    actor_role = models.CharField(_("操作角色"), max_length=24, blank=True)
    actor_unit = models.ForeignKey(Unit, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                                   verbose_name=_("操作单位"))
    payload = models.JSONField(_("内容"), default=dict)
    note = models.TextField(_("说明"), blank=True)
    public = models.BooleanField(_("居民可见"), default=False)
    created_at = models.DateTimeField(_("时间"), db_index=True)

    objects = EventQuerySet.as_manager()

    class Meta:
        verbose_name = _("诉求事件")
        verbose_name_plural = _("诉求事件")
        ordering = ["demand_id", "seq"]
        constraints = [models.UniqueConstraint(fields=["demand", "seq"], name="demand_event_seq_unique")]
        indexes = [
            # The latest escalations (the overview): newest first without walking the far more
            # numerous other events; partial, so registering and importing never write to it.
            models.Index(fields=["-created_at", "-id"], condition=models.Q(action="escalate"),
                         name="event_escalation_recent"),
        ]

    def __str__(self) -> str:
        return f"{self.demand_id}#{self.seq} {self.action}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise TypeError("demand events are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise TypeError("demand events are append-only")

    @property
    def action_label(self) -> str:
        return action_label(self.action)


class DemandNumberCounter(models.Model):
    """The last sequence number handed out per day, for human-readable demand numbers."""

    day = models.DateField(primary_key=True)
    last = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("编号计数")
        verbose_name_plural = _("编号计数")

    def __str__(self) -> str:
        return f"{self.day}: {self.last}"


def _attachment_path(instance: "DemandAttachment", filename: str) -> str:
    return f"demands/{instance.demand_id}/{instance.event_seq}-{filename}"


class DemandAttachment(models.Model):
    """A photo attached by one step of the demand's history (intake, patrol, result)."""

    demand = models.ForeignKey(Demand, on_delete=models.PROTECT, related_name="attachments", verbose_name=_("诉求"))
    event_seq = models.PositiveIntegerField(_("事件序号"))
    file = models.FileField(_("文件"), upload_to=_attachment_path)
    created_at = models.DateTimeField(_("时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("附件")
        verbose_name_plural = _("附件")
        ordering = ["demand_id", "event_seq", "pk"]

    def __str__(self) -> str:
        return self.file.name


class CoReporter(models.Model):
    """A resident who met the same problem and joined an open demand ("我也遇到") instead of
    filing another: counted as one more reporter and told of its progress like the reporter.
    Written only by ``services.join_demand``, with a ``join`` event in the same transaction."""

    demand = models.ForeignKey(Demand, on_delete=models.PROTECT, related_name="co_reporters", verbose_name=_("诉求"),
                               db_index=False)
    resident = models.ForeignKey(Resident, on_delete=models.PROTECT, related_name="joined_demands",
                                 verbose_name=_("居民"))
    channel = models.CharField(_("渠道"), max_length=16, choices=Channel.choices)
    joined_at = models.DateTimeField(_("加入时间"))

    class Meta:
        verbose_name = _("共同反映人")
        verbose_name_plural = _("共同反映人")
        ordering = ["demand_id", "joined_at", "pk"]
        # One row per resident and demand; the unique index also serves every look-up by demand.
        constraints = [models.UniqueConstraint(fields=["demand", "resident"], name="co_reporter_unique")]

    def __str__(self) -> str:
        return f"{self.demand_id} + {self.resident_id}"
