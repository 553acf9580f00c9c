"""A mistyped basemap setting is reported when the server starts (manage.py check, runserver),
not as a failing map page later."""

from django.core.checks import Error, register
from django.core.exceptions import ImproperlyConfigured

from .layers import basemap_config


@register()
def basemap_settings(app_configs, **kwargs) -> list[Error]:
    try:
        basemap_config()
    except ImproperlyConfigured as exc:
        return [Error(str(exc), hint="See README.md, Configuration (MINSHENG_BASEMAP…).", id="minsheng.maps.E001")]
    return []
