"""The demo's face: the lists a printed login opens on are not empty, on whatever day the demo is
seeded (the year's turn included)."""

from django.contrib.auth import get_user_model
from django.utils import timezone

from minsheng.projects import selectors as project_selectors


def test_this_years_secretary_projects_are_on_the_list_the_community_opens(demo, client):
    year = timezone.localdate().year
    for name in ("community", "secretary", "leader"):
        user = get_user_model().objects.get(username=name)
        projects = project_selectors.projects_visible_to(user).filter(year=year)
        assert projects.exists(), name
        client.force_login(user)
        page = client.get("/work/projects/").content.decode()  # the current year by default
        assert all(project.name in page for project in projects), name
