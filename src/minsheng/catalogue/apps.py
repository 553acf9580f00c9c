from django.apps import AppConfig


class CatalogueConfig(AppConfig):
    name = "minsheng.catalogue"
    verbose_name = "分类与时限"
