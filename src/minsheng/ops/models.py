"""What the health endpoint reads about the processes that run beside the web server: each
worker's last sign of life and each periodic job's last run.  Written by the worker itself
(``services.py``), so that a worker that hangs or dies shows as a stale row, not as silence."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class WorkerHeartbeat(models.Model):
    """One row per worker process (host and pid), refreshed while it runs."""

    name = models.CharField(_("进程"), max_length=200, unique=True, help_text=_("主机名:进程号"))
    started_at = models.DateTimeField(_("启动时间"))
    beat_at = models.DateTimeField(_("最近心跳"), db_index=True)
    stopped_at = models.DateTimeField(_("停止时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("后台进程心跳")
        verbose_name_plural = _("后台进程心跳")
        ordering = ["-beat_at"]

    def __str__(self) -> str:
        return self.name


class JobRun(models.Model):
    """The last run of one periodic job of the worker (``MINSHENG_PERIODIC_JOBS``)."""

    job = models.CharField(_("定时任务"), max_length=200, unique=True)
    started_at = models.DateTimeField(_("开始运行时间"))
    finished_at = models.DateTimeField(_("运行结束时间"), null=True, blank=True)
    succeeded = models.BooleanField(_("运行成功"), default=False)
    error = models.TextField(_("错误信息"), blank=True)

    class Meta:
        verbose_name = _("定时任务运行")
        verbose_name_plural = _("定时任务运行")
        ordering = ["job"]

    def __str__(self) -> str:
        return self.job
