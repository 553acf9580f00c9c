from django.apps import AppConfig, apps
from django.db.models.signals import pre_save
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "minsheng.core"
    verbose_name = _("核心")

    def ready(self) -> None:
        from .text import check_lengths_before_save

        # Every model of the project's own apps is checked against its columns before it is saved.
        for model in apps.get_models():
            if model.__module__.startswith("minsheng."):
                pre_save.connect(check_lengths_before_save, sender=model, dispatch_uid=f"lengths:{model._meta.label}")
