"""Demo care register: residents of the vulnerable groups with a plan each and a year of visits at
their risk level's frequency (a few people are overdue); a few of today's visits find a problem
and open a demand through the real services."""

import random
from datetime import datetime, timedelta

from django.contrib.auth import get_user_model
from django.utils import timezone

from minsheng.organisation.roles import Role
from minsheng.people.models import Resident

from .models import CarePerson, CareVisit
from .schedule import next_due
from .services import record_visit

CATEGORY_OF_TAG = {"elderly_alone": "elderly_alone", "disabled": "disabled", "left_behind_child": "child",
                   "shidu": "lost_only_child", "dibao": "low_income", "tekun": "low_income", "youfu": "other"}
PLANS = {"elderly_alone": "每周电话问候，按期上门；协助购药、助餐；联系子女定期回家。",
         "disabled": "协助申请残疾人补贴和康复服务；无障碍改造需求登记。",
         "child": "联系学校了解学习情况；假期安排志愿者陪伴。",
         "lost_only_child": "节日上门慰问；心理疏导；就医陪同。",
         "low_income": "核对低保待遇；推荐公益岗位；冬季取暖补贴。",
         "other": "按期走访，了解生活困难。"}
FOUND = ["身体状况稳定，生活能自理。", "家中整洁，药品充足。", "情绪较好，子女上周回家探望。",
         "反映天冷，已提醒注意保暖。", "血压偏高，已提醒按时服药。"]


def seed_care(city, residents: list[Resident], rng: random.Random, now: datetime) -> str:
    if CarePerson.objects.exists():  # its own rows, when called outside seed_demo's marks
        return "care: already seeded"
    today = timezone.localdate(now)
    start = today - timedelta(days=365)
    # Each grid's own worker (not the grid work's assignments: the parts of the demo seed in any order).
    workers = {grid.pk: city.actors[(grid.code, Role.GRID_WORKER)] for grid in city.grids}
    # The printed login "grid" answers for its grid's people, so that it sees their visits.
    printed = get_user_model().objects.filter(username="grid").first()
    if printed is not None:
        workers[city.grids[0].pk] = printed
    tags = dict(Resident.tags.through.objects.filter(resident_id__in=[r.pk for r in residents])
                .values_list("resident_id", "vulnerabletag__code"))
    # Where each lives now: the estates' part moves its grid's residents into their buildings' units,
    # which lie under the grid (their worker is the grid's).
    grid_of_path = {grid.path: grid.pk for grid in city.grids}
    path_of = dict(Resident.objects.filter(pk__in=list(tags)).values_list("pk", "region__path"))
    people = []
    for resident in residents:
        code = tags.get(resident.pk)
        path = path_of.get(resident.pk) or ""
        grid = next((pk for prefix, pk in grid_of_path.items() if path.startswith(prefix)), None)
        if code is None or grid not in workers:
            continue
        category = CATEGORY_OF_TAG.get(code, "other")
        worker = workers[grid]
        people.append(CarePerson(
            resident=resident, region_id=grid, category=category,  # the register is kept by grid
            risk=rng.choices(["high", "medium", "low"], weights=[2, 5, 3])[0], plan=PLANS[category],
            services="定期上门探望\n代购生活用品\n紧急情况及时响应", responsible=worker,
            responsible_name=worker.first_name or "网格员", responsible_phone="13904130101",
            registered_on=start, next_visit_due=next_due(start, "high")))
    CarePerson.objects.bulk_create(people)
    visits = []
    # The printed login's first person misses the last visit: its 走访 list opens on an overdue one.
    printed_first = (CarePerson.objects.filter(registered_on=start, responsible=printed).order_by("pk")
                     .values_list("pk", flat=True).first() if printed is not None else None)
    for person in CarePerson.objects.filter(registered_on=start).select_related("responsible"):
        due = next_due(start, person.risk)
        late = rng.random() < 0.08  # these stopped being visited a while ago
        while due <= today:
            if late and due > today - timedelta(days=40):
                break
            if person.pk == printed_first and next_due(due + timedelta(days=2), person.risk) >= today:
                break  # this visit (made up to two days late) would be the last before today
            day = min(today, due + timedelta(days=rng.randint(-2, 2)))
            visits.append(CareVisit(person=person, visitor=person.responsible, visited_on=day, risk=person.risk,
                                    found=rng.choice(FOUND), created_at=timezone.make_aware(
                                        datetime.combine(day, datetime.min.time()).replace(hour=10))))
            due = next_due(day, person.risk)
    CareVisit.objects.bulk_create(visits, batch_size=2000)
    for person in CarePerson.objects.filter(registered_on=start):
        last = person.visits.order_by("-visited_on").values_list("visited_on", flat=True).first()
        CarePerson.objects.filter(pk=person.pk).update(next_visit_due=next_due(last or start, person.risk))
    problems = 0
    for person in (CarePerson.objects.filter(risk="high").exclude(pk=printed_first).select_related("responsible")
                   .order_by("pk")[:5]):  # a visit today would take the printed login's overdue one off its list
        record_visit(person.responsible, person.pk, found="走访发现家中存在安全隐患。",
                     problem_title=f"走访发现：{person.resident.name}家中燃气灶老化",
                     problem="燃气灶软管老化开裂，存在安全隐患，请安排更换。")
        problems += 1
    return f"care: {len(people)} people in difficulty, {CareVisit.objects.count()} visits ({problems} opened demands)"
