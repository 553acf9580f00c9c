"""Residents' subscriptions to the public reports of an area (FixMyStreet's "local alerts")."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from minsheng.organisation.models import Region


class AreaSubscription(models.Model):
    """A signed-in resident asked to hear of every new public report in ``region`` (a street or a
    community, and everything under it).  No phone number is kept here: an SMS goes to the phone
    of the resident record behind the account at the time it is sent, so a changed number or a
    removed record is followed without a second copy of personal data."""

    class Channel(models.TextChoices):
        IN_APP = "in_app", _("站内消息")
        SMS = "sms", _("短信")

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="area_subscriptions",
                             verbose_name=_("订阅人"))
    region = models.ForeignKey(Region, on_delete=models.CASCADE, related_name="+", verbose_name=_("区域"))
    channel = models.CharField(_("接收方式"), max_length=16, choices=Channel.choices)
    created_at = models.DateTimeField(_("订阅时间"))

    class Meta:
        verbose_name = _("区域订阅")
        verbose_name_plural = _("区域订阅")
        ordering = ["region__path", "channel"]
        constraints = [models.UniqueConstraint(fields=["user", "region", "channel"], name="area_subscription_once")]

    def __str__(self) -> str:
        return f"{self.region} · {self.get_channel_display()}"
