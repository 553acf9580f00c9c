from django.contrib import admin

from minsheng.core.admin import ReadOnlyAdminMixin

from .models import JobRun, WorkerHeartbeat


@admin.register(WorkerHeartbeat)
class WorkerHeartbeatAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Written by the workers themselves; an administrator sees which ones run (or stopped, when)."""

    list_display = ["name", "started_at", "beat_at", "stopped_at"]


@admin.register(JobRun)
class JobRunAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """The last run of each periodic job, with the error of a failed one."""

    list_display = ["job", "started_at", "finished_at", "succeeded"]
    list_filter = ["succeeded"]
