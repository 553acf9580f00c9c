from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "minsheng.core"
    verbose_name = "核心"
