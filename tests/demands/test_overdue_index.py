"""The overdue lists (dashboard, overview) read the partial index of the demands being handled, in
deadline order, instead of walking every demand's deadline (#30: 0.9 s of PostgreSQL at 1M)."""

import random
from datetime import timedelta

import pytest
from django.db import connection, transaction

from minsheng.core import clock
from minsheng.demands import selectors
from minsheng.demands.models import Demand

from .helpers import bring_to

pytestmark = pytest.mark.django_db


def test_the_running_due_index_holds_exactly_the_states_of_overdue_q():
    # The planners use a partial index only when the query's condition implies the index's: the
    # same state list, in the same order, as overdue_q's.
    index = next(i for i in Demand._meta.indexes if i.name == "demand_running_due")
    overdue_states = dict(selectors.overdue_q(clock.now()).children)["state__in"]
    assert index.fields == ["handle_due"]
    assert index.condition == type(index.condition)(state__in=overdue_states)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="a PostgreSQL plan")
def test_postgresql_reads_the_overdue_list_from_the_running_due_index(world):
    overdue = [bring_to(world, random.choice(["dispatched", "in_progress"])) for _ in range(random.randint(2, 4))]
    bring_to(world, "closed")
    later = clock.now() + timedelta(days=60)
    query = Demand.objects.filter(selectors.overdue_q(later)).order_by("handle_due")[:10]
    sql, params = query.query.sql_with_params()
    with transaction.atomic(), connection.cursor() as cur:
        # A handful of rows: a sequential scan and a sort would win; with both off the planner
        # shows which index it takes for the order (the full handle_due index, before this one).
        cur.execute("SET LOCAL enable_seqscan = off")
        cur.execute("SET LOCAL enable_sort = off")
        cur.execute(f"EXPLAIN {sql}", params)
        plan = "\n".join(row[0] for row in cur.fetchall())
    assert "demand_running_due" in plan, plan
    assert [d.pk for d in query] == [d.pk for d in sorted(overdue, key=lambda d: (d.handle_due, d.pk))]
