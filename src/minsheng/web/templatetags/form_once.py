"""``{% form_once form %}``: a blank form that a list offers on every row, rendered once a page."""

from django import template
from django.template.loader import get_template
from django.utils.safestring import SafeString

register = template.Library()


@register.simple_tag
def form_once(form) -> SafeString:
    """``web/_form.html`` for ``form``, rendered on the first row and repeated on the others.

    A list that offers the same action on each row (销号 on the yearly list, 转办 on the needs)
    rendered the same blank form once per row: a hundred rows spent half the page's time in the
    form's widgets.  Only for a form that is the same on every row (unbound, nothing of the row in
    it); the row's own parts (its action address, the CSRF token) stay outside, in the row."""
    if (html := getattr(form, "_minsheng_html", None)) is None:
        html = form._minsheng_html = get_template("web/_form.html").render({"form": form})
    return html
