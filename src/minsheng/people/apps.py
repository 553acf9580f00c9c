from django.apps import AppConfig


class PeopleConfig(AppConfig):
    name = "minsheng.people"
    verbose_name = "居民"
