"""Saved views: a user names a filter of the staff demand list and pins it to their queue page."""

from urllib.parse import urlencode

from django.db import IntegrityError, transaction
from django.http import QueryDict
from django.utils.translation import gettext as _

from minsheng.core.errors import NotFound, ValidationFailed

from .models import SavedView

# The demand list's own parameters (views.staff._filtered_demands); anything else in a query string
# (a page number, a stray parameter) is not part of the filter.
LIST_PARAMETERS = ("q", "state", "channel", "overdue", "sort")
MAX_VIEWS = 20  # pinned to one page: beyond a screenful they stop being a shortcut


def clean_query(query: str) -> str:
    """The list's filter parameters of ``query``, in a fixed order, empty values dropped."""
    given = QueryDict(query)
    return urlencode([(key, given[key]) for key in LIST_PARAMETERS if given.get(key, "").strip()])


def saved_views_of(user) -> list[SavedView]:
    return list(SavedView.objects.filter(user=user).order_by("name")) if user.is_authenticated else []


def save_view(user, *, name: str, query: str) -> SavedView:
    """Pin the list's filter ``query`` under ``name`` (a view of the same name is replaced)."""
    name = name.strip()
    if not name:
        raise ValidationFailed.for_field("name", _("请为视图起个名字。"))
    query = clean_query(query)
    if not query:
        raise ValidationFailed.for_field("name", _("先在诉求列表中选择筛选条件，再保存为视图。"))
    existing = SavedView.objects.filter(user=user, name=name).first()
    if existing is None and SavedView.objects.filter(user=user).count() >= MAX_VIEWS:
        raise ValidationFailed.for_field("name", _("最多保存 %(n)d 个视图，请先删除不用的视图。") % {"n": MAX_VIEWS})
    try:
        with transaction.atomic():
            view, _created = SavedView.objects.update_or_create(user=user, name=name, defaults={"query": query})
    except IntegrityError:  # the same name saved twice at once: the other request's row stands
        view = SavedView.objects.get(user=user, name=name)
    return view


def delete_view(user, pk: int) -> None:
    """Unpin one of the user's own views (another user's is not found, as if it did not exist)."""
    deleted, _rows = SavedView.objects.filter(user=user, pk=pk).delete()
    if not deleted:
        raise NotFound(_("没有这个视图。"))
