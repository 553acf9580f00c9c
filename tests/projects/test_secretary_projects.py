"""A secretary project's colour follows its milestones and dates; three evaluations; the yearly limit."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from minsheng.core import clock
from minsheng.core.errors import InvalidTransition, OutOfScope, PermissionDenied, ValidationFailed, VersionConflict
from minsheng.projects import selectors, services
from minsheng.projects.models import SecretaryProject
from minsheng.projects.services import MilestoneInput
from minsheng.projects.status import Colour, Status

from .conftest import make_project

pytestmark = pytest.mark.django_db
TZ = ZoneInfo("Asia/Shanghai")


def at(day: date):
    return clock.frozen_at(datetime(day.year, day.month, day.day, 9, tzinfo=TZ))


def colour(project, day):
    status = selectors.status_of(SecretaryProject.objects.get(pk=project.pk), day)
    return status, selectors.colour_of(status)


def test_the_colour_changes_over_the_projects_life(world, party):
    with at(date(2026, 2, 1)):
        project = make_project(world, party, deadline=date(2026, 10, 31))
    assert colour(project, date(2026, 2, 1)) == (Status.ON_TRACK, Colour.BLUE)
    # The first milestone passes its date undone: at risk, yellow (as a demand due soon).
    assert colour(project, date(2026, 4, 10)) == (Status.AT_RISK, Colour.YELLOW)
    first, second = project.milestones.all()
    with at(date(2026, 4, 12)):
        services.update_project(world.user("secretary1"), project.pk, 0, note="方案已通过居民议事会",
                                progress_percent=40, milestones_done=[first.pk])
    assert colour(project, date(2026, 4, 12)) == (Status.ON_TRACK, Colour.BLUE)
    # Past the deadline with the works unfinished: overdue, red (as an overdue demand).
    assert colour(project, date(2026, 11, 2)) == (Status.OVERDUE, Colour.RED)
    with at(date(2026, 11, 5)):
        services.update_project(world.user("secretary1"), project.pk, 1, note="电梯已投入使用",
                                progress_percent=100, milestones_done=[second.pk])
    assert colour(project, date(2026, 11, 5)) == (Status.DONE, Colour.GREEN)
    project.refresh_from_db()
    assert project.progress == "电梯已投入使用" and project.updates.count() == 2


def test_the_meaning_of_the_colours_is_configured(world, party, settings):
    settings.MINSHENG_PROJECT_COLOURS = {"done": "green", "on_track": "blue", "at_risk": "red",
                                         "overdue": "yellow"}
    with at(date(2026, 2, 1)):
        project = make_project(world, party)
    assert colour(project, date(2026, 4, 10)) == (Status.AT_RISK, Colour.RED)


def test_an_administrator_sets_the_meaning_of_a_colour_in_the_admin(world, party, client):
    from django.contrib.auth import get_user_model

    from minsheng.audit.models import AuditEntry
    from minsheng.projects.models import StatusColour
    from minsheng.projects.status import legend

    with at(date(2026, 2, 1)):
        project = make_project(world, party)
    assert colour(project, date(2026, 4, 10)) == (Status.AT_RISK, Colour.YELLOW)
    admin = get_user_model().objects.create_superuser("colours-admin", password="x-Passw0rd-long")
    client.force_login(admin)
    logged = AuditEntry.objects.filter(kind=AuditEntry.Kind.CONFIGURATION).count()
    response = client.post("/admin/projects/statuscolour/add/", {"status": "at_risk", "colour": "blue"})
    assert response.status_code == 302, response.content.decode()[:2000]
    assert StatusColour.objects.get().colour == "blue"
    # Every process sees the change at its next request (core.versioned); the legend says it too.
    assert colour(project, date(2026, 4, 10)) == (Status.AT_RISK, Colour.BLUE)
    assert (Colour.BLUE, Status.AT_RISK.label) in legend()
    assert AuditEntry.objects.filter(kind=AuditEntry.Kind.CONFIGURATION).count() > logged  # who changed it, when
    # One row per status: a second meaning for the same status is refused with the form's error.
    again = client.post("/admin/projects/statuscolour/add/", {"status": "at_risk", "colour": "red"})
    assert again.status_code == 200 and StatusColour.objects.count() == 1


def test_only_the_owner_or_staff_in_scope_update_a_project(world, party):
    with at(date(2026, 2, 1)):
        project = make_project(world, party)
        with pytest.raises(OutOfScope):
            services.update_project(world.user("staff2"), project.pk, 0, note="x", progress_percent=10)
        with pytest.raises(PermissionDenied):
            services.update_project(world.user("handler_cg"), project.pk, 0, note="x", progress_percent=10)
        with pytest.raises(ValidationFailed):
            services.update_project(world.user("secretary1"), project.pk, 0, note="x", progress_percent=120)
        services.update_project(world.user("staff1"), project.pk, 0, note="已召开协调会", progress_percent=10)
        with pytest.raises(VersionConflict):
            services.update_project(world.user("secretary1"), project.pk, 0, note="y", progress_percent=20)
    project.refresh_from_db()
    assert (project.progress_percent, project.version) == (10, 1)


def test_a_secretary_claims_at_most_the_configured_number_a_year(world, party, settings):
    settings.MINSHENG_SECRETARY_PROJECTS_PER_YEAR = (1, 2)
    with at(date(2026, 2, 1)):
        make_project(world, party, name="一")
        assert [o for o, _n in selectors.secretaries_below_minimum(world.user("admin"), 2026, 1)] == [party.community2]
        make_project(world, party, name="二")
        with pytest.raises(InvalidTransition):
            make_project(world, party, name="三")
        make_project(world, party, name="明年", deadline=date(2027, 6, 30),
                     milestones=[MilestoneInput("启动", date(2027, 1, 31))])
    assert SecretaryProject.objects.filter(owner=party.secretary1, year=2026).count() == 2


def test_milestones_must_fit_before_the_deadline(world, party):
    with at(date(2026, 2, 1)), pytest.raises(ValidationFailed) as err:
        make_project(world, party, deadline=date(2026, 6, 30))
    assert "milestones" in err.value.field_errors and not SecretaryProject.objects.exists()


def test_three_evaluations_and_the_residents_satisfaction_rate(world, party):
    with at(date(2026, 2, 1)):
        project = make_project(world, party)
        services.evaluate_project(world.user("leader"), project.pk, kind="assessment", score=90)
        services.evaluate_project(world.user("dispatcher1"), project.pk, kind="assessment", score=80)
        services.evaluate_project(world.user("leader"), project.pk, kind="report", score=95, comment="述职清楚")
        for satisfaction in ("satisfied", "basically_satisfied", "dissatisfied", "satisfied"):
            services.evaluate_project(world.user("staff1"), project.pk, kind="residents",
                                      satisfaction=satisfaction)
        with pytest.raises(PermissionDenied):  # the level above assesses, not the community itself
            services.evaluate_project(world.user("staff1"), project.pk, kind="assessment", score=100)
        with pytest.raises(ValidationFailed):
            services.evaluate_project(world.user("staff1"), project.pk, kind="residents", satisfaction="meh")
        with pytest.raises(ValidationFailed):
            services.evaluate_project(world.user("leader"), project.pk, kind="report", score=101)
    summary = selectors.evaluation_summary(project)
    assert (summary.assessment, summary.report) == (85, 95)
    assert (summary.residents_satisfied, summary.residents_rated, summary.satisfaction_rate) == (3, 4, 0.75)


def test_the_secretary_and_community_staff_are_told_once_when_a_project_falls_behind(world, party):
    from minsheng.notifications.models import OutboxMessage
    from minsheng.projects.selectors import projects_visible_to
    from minsheng.projects.sweeps import notify_project_colours

    with at(date(2026, 2, 1)):
        project = make_project(world, party, deadline=date(2026, 10, 31))
        assert notify_project_colours() == 0  # on track: nobody is bothered
    with at(date(2026, 4, 10)):
        assert notify_project_colours() == 1
        assert notify_project_colours() == 0  # told once per change
    told = OutboxMessage.objects.filter(channel="in_app", source="secretary_project")
    # The grid worker of one grid may not open a community's project: not told (notices follow scope).
    assert {m.recipient.username for m in told} == {"secretary1", "staff1"}
    assert not projects_visible_to(world.user("gridworker")).filter(pk=project.pk).exists()
    assert "黄 · 进度滞后" in told.first().subject
    with at(date(2026, 11, 2)):
        assert notify_project_colours() == 1  # now overdue
    assert OutboxMessage.objects.filter(source="secretary_project", subject__contains=project.name,
                                        recipient__username="secretary1").filter(subject__contains="超期未完成").exists()
