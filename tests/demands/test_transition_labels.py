"""Every row of the transition table names its action in the reader's language: the rows other
apps add (care tasks, meals, stations, mediation, wishes) included, which once took gettext at
import and stayed Chinese on English pages."""

import importlib
import re

from django.utils import translation

from minsheng.demands.workflow import TRANSITIONS, action_label

CJK = re.compile(r"[\u4e00-\u9fff]")
# The modules that add rows to the table, imported as the site imports them.
ROW_MODULES = ("minsheng.homecare.records", "minsheng.homecare.tasks", "minsheng.meals.deliveries",
               "minsheng.mediation.actions", "minsheng.stations.actions", "minsheng.stations.teamwork",
               "minsheng.wishes.services")


def test_every_action_label_follows_the_language():
    for name in ROW_MODULES:
        importlib.import_module(name)
    with translation.override("en"):
        untranslated = {action: action_label(action) for action in TRANSITIONS if CJK.search(action_label(action))}
        assert action_label("claim_care_task") == "Claimed by provider"
    assert untranslated == {}
    with translation.override("zh-hans"):
        assert action_label("claim_care_task") == "服务商认领"
