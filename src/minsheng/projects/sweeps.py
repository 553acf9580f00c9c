"""The periodic check of secretary projects (settings.MINSHENG_PERIODIC_JOBS): when a project falls
behind or runs past its deadline, its secretary and the staff of the units of its area are told,
once per change, through the notifications outbox."""

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from minsheng.core import clock
from minsheng.notifications.services import notify_users, staff_users_of_units
from minsheng.organisation.models import Unit

from .models import SecretaryProject
from .selectors import projects_visible_to
from .status import Status, colour_of, project_status

TOLD = frozenset({Status.AT_RISK, Status.OVERDUE})


def notify_project_colours(now=None) -> int:
    """Tell people about projects that newly fell behind or ran late; returns how many projects."""
    today = timezone.localdate(now or clock.now())
    told = 0
    projects = (SecretaryProject.objects.filter(year__gte=today.year - 1).select_related("owner__user", "region")
                .prefetch_related("milestones"))
    for project in projects:
        status = project_status(project.deadline, project.milestones.all(), today)
        if status == project.notified_status:
            continue
        with transaction.atomic():
            if status in TOLD:
                # Only those whose project page opens (a grid worker of another grid is not told).
                users = [user for user in staff_users_of_units(Unit.objects.filter(
                    region=project.region, active=True).values_list("pk", flat=True))
                    if projects_visible_to(user).filter(pk=project.pk).exists()]
                if project.owner.user is not None and project.owner.user not in users:
                    users.append(project.owner.user)
                notify_users(users, message="projects.status", params={
                    "name": project.name, "colour": colour_of(status).value, "status": status.value,
                    "deadline": f"{project.deadline:%Y-%m-%d}", "percent": project.progress_percent},
                    link=reverse("projects:project", args=[project.pk]), source="secretary_project")
                told += 1
            SecretaryProject.objects.filter(pk=project.pk).update(notified_status=status)
    return told
