"""The forms' renderer (settings.FORM_RENDERER): Django's own, with select boxes written in Python.

Django renders a select box through a template and every one of its options through another
(``select_option.html`` and ``attrs.html``, included once per option).  A picker of a city's 400
party organisations then costs about 35 ms of template work per page, a third of some pages'
time.  Here the standard select box (``django/forms/widgets/select.html`` with its standard
option template) is written by ``render_select``, which gives the very same HTML; any other
template, or a select whose options use another template, goes through Django's templates.
"""

from django.forms.renderers import DjangoTemplates
from django.utils.formats import localize
from django.utils.html import conditional_escape

SELECT = "django/forms/widgets/select.html"
OPTION = "django/forms/widgets/select_option.html"


def _text(value) -> str:
    """A variable as the template prints it (``{{ value }}``): localised, then escaped."""
    return conditional_escape(value if isinstance(value, str) else str(localize(value)))


def _attrs(attrs: dict) -> str:
    """``attrs.html``: `` name="value"`` for each attribute, the name alone for True, nothing for False."""
    return "".join("" if value is False else f" {name}" if value is True
                   else f' {name}="{conditional_escape(str(value))}"' for name, value in attrs.items())


def render_select(widget: dict) -> str:
    """``select.html`` with ``select_option.html`` for each option, stripped as the renderer does."""
    parts = [f'<select name="{_text(widget["name"])}"{_attrs(widget["attrs"])}>']
    for group_name, options, _index in widget["optgroups"]:
        if group_name:
            parts.append(f'\n  <optgroup label="{_text(group_name)}">')
        for option in options:
            parts.append(f'\n  <option value="{conditional_escape(str(option["value"]))}"{_attrs(option["attrs"])}>'
                         f'{_text(option["label"])}</option>\n')  # the option template's last line end
        if group_name:
            parts.append("\n  </optgroup>")
    parts.append("\n</select>")
    return "".join(parts)


class Renderer(DjangoTemplates):
    """Django's template renderer, but for the standard select box (``render_select``)."""

    def render(self, template_name, context, request=None):
        widget = context.get("widget") if template_name == SELECT else None
        if widget is not None and all(option["template_name"] == OPTION
                                      for _name, options, _index in widget["optgroups"] for option in options):
            return render_select(widget)
        return super().render(template_name, context, request=request)
