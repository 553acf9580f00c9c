from django.apps import AppConfig


class OrganisationConfig(AppConfig):
    name = "minsheng.organisation"
    verbose_name = "组织与网格"
