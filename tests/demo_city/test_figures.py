"""The figures of the demo city as every role that reads them meets them: a year of months, every
link from the dashboard, the tables and the monthly reports."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from minsheng.assessment import rules
from minsheng.core import clock

pytestmark = [pytest.mark.django_db, pytest.mark.slow]

PERCENT = re.compile(r"(-?\d+(?:\.\d+)?)\s*%")
RANKED_ROW = re.compile(r'<td data-label="排名">(\d+)</td>\s*<td data-label="[^"]*">[^<]*</td>\s*'
                        r'<td data-label="件数">(\d+)</td>')
LINK = re.compile(r'href="(/work/assessment/demands/\?[^"]+)"')


def _months(count: int) -> list[str]:
    month = timezone.localdate(clock.now()).replace(day=1)
    result = []
    for _i in range(count):
        result.append(f"{month:%Y-%m}")
        month = (month - timedelta(days=1)).replace(day=1)
    return result


def _percentages(page: str) -> list[float]:
    text = re.sub(r"<(script|style)\b.*?</\1>", "", page, flags=re.S)
    # The report's summary sentence says how a count changed ("环比上升 275.0%"): not a rate.
    text = re.sub(r'<p class="summary" id="summary">.*?</p>', "", text, flags=re.S)
    # Changes against other months (环比, 同比) are signed: they are not rates.
    text = re.sub(r"[+-]\d+(?:\.\d+)?\s*(%|个百分点|percentage points)", "", text)
    return [float(m) for m in PERCENT.findall(re.sub(r"<[^>]+>", " ", text))]


def test_the_ranked_row_pattern_reads_rank_and_volume():
    row = ('<td data-label="排名">3</td>\n<td data-label="街道">光明街道</td>\n<td data-label="件数">42</td>'
           '<td data-label="排名"><span class="muted">—</span></td><td data-label="街道">和平街道</td>'
           '<td data-label="件数">4</td><td data-label="受理量">7</td><td data-label="派单量">0</td>')
    assert RANKED_ROW.findall(row) == [("3", "42")]


def test_signed_changes_are_not_read_as_rates():
    assert _percentages("<td>+150.0%</td><td>-3.2个百分点</td><td>95.5%</td>") == [95.5]


def test_every_figure_page_of_the_year_is_within_bounds_for_every_role(client, demo):
    from django.contrib.auth import get_user_model

    minimum = rules.rule_for(timezone.localdate(clock.now())).min_volume
    links_checked = 0
    for username in ("leader", "dispatcher", "auditor", "admin"):
        client.force_login(get_user_model().objects.get(username=username))
        for month in _months(12):
            pages = [reverse("web:dashboard") + f"?month={month}", reverse("web:assessment_report") + f"?month={month}"]
            pages += [reverse("web:assessment_table") + f"?by={by}&month={month}"
                      for by in ("street", "community", "unit", "category")]
            for url in pages:
                response = client.get(url)
                assert response.status_code == 200, (username, url, response.status_code)
                page = response.content.decode()
                assert all(0 <= p <= 100 for p in _percentages(page)), (username, url)
                for rank, volume in RANKED_ROW.findall(page):
                    assert int(volume) >= minimum, (username, url, rank, volume)
                # Every drill-down of the last two months; a sample of the dashboard's for the others.
                recent = month in _months(2)
                if recent or url.startswith(reverse("web:dashboard")):
                    for link in sorted(set(LINK.findall(page.replace("&amp;", "&"))))[:40 if recent else 8]:
                        listed = client.get(link)
                        assert listed.status_code == 200, (username, link)
                        links_checked += 1
    assert links_checked > 100
