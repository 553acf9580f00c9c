"""Which of a page's links its viewer may open.  A link to a demand, a project or a meeting opens
only within the viewer's scope (the detail page asks the same selector); a page that lists such
links (the inbox, a project's decisions, collected needs) shows the rest as text instead of a
link that answers 404."""

from collections import defaultdict
from collections.abc import Callable, Iterable

from django.urls import Resolver404, resolve

from minsheng.demands.selectors import visible_ids as visible_demand_ids
from minsheng.projects.selectors import visible_meeting_ids, visible_project_ids

# view name → the ids of its rows the user may open (the selector its detail page reads through)
SCOPED_VIEWS: dict[str, Callable[[object, Iterable[int]], set[int]]] = {
    "web:demand": visible_demand_ids,
    "projects:project": visible_project_ids,
    "projects:meeting": visible_meeting_ids,
}


def openable_links(user, links: Iterable[str]) -> set[str]:
    """The links among ``links`` that ``user`` may open: scoped detail pages only when their row is
    in scope, every other page (which checks its viewer itself) as it is."""
    wanted: dict[str, dict[int, list[str]]] = defaultdict(lambda: defaultdict(list))
    result = set()
    for link in {link for link in links if link}:
        try:
            match = resolve(link.split("?", 1)[0])
        except Resolver404:
            continue
        if match.view_name in SCOPED_VIEWS and "pk" in match.kwargs:
            wanted[match.view_name][match.kwargs["pk"]].append(link)
        else:
            result.add(link)
    for view_name, by_id in wanted.items():
        for pk in SCOPED_VIEWS[view_name](user, by_id):
            result.update(by_id[pk])
    return result
