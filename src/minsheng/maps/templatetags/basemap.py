from django import template
from django.utils.html import json_script

from ..layers import basemap_config

register = template.Library()


@register.simple_tag
def basemap_config_script() -> str:
    """The basemap configuration as <script type="application/json" id="basemap-config">, read by
    static/maps/basemap.js on every map page."""
    return json_script(basemap_config(), "basemap-config")
