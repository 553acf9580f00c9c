"""The model registry: an administrator switches the active version in the admin; each process
loads a model once and picks up a newly activated one."""

from django.contrib.auth import get_user_model

from minsheng.routing import registry
from minsheng.routing.classifier import Router, file_sha256
from minsheng.routing.models import RouterModel


def _register_copy(model_file, tmp_path, name):
    path = tmp_path / name
    path.write_bytes(model_file.read_bytes())
    return registry.register(Router.load(path), path, file_sha256(path))


def test_an_administrator_switches_the_active_version_and_suggestions_follow(db, client, tmp_path, model_file):
    first = _register_copy(model_file, tmp_path, "a.joblib")
    second = _register_copy(model_file, tmp_path, "b.joblib")
    registry.activate_version(first)
    entry, router = registry.active()
    assert entry == first and registry.active()[1] is router  # loaded once, then reused

    admin = get_user_model().objects.create_superuser("root", password="pw-root")
    client.force_login(admin)
    response = client.post("/admin/routing/routermodel/",
                           {"action": "activate", "_selected_action": [second.pk]})
    assert response.status_code == 302
    assert list(RouterModel.objects.filter(active=True)) == [second]
    entry, reloaded = registry.active()
    assert entry == second and reloaded is not router


def test_only_a_superuser_may_switch_and_the_records_stay_read_only(world, client, tmp_path, model_file):
    first = _register_copy(model_file, tmp_path, "a.joblib")
    from django.contrib.auth.models import Permission

    user = world.users["admin"]  # the administrator role, but not a superuser
    user.is_staff = True
    user.save()
    user.user_permissions.add(*Permission.objects.filter(codename__in=["view_routermodel", "change_routermodel"]))
    client.force_login(user)
    assert client.get("/admin/routing/routermodel/").status_code == 200
    client.post("/admin/routing/routermodel/", {"action": "activate", "_selected_action": [first.pk]})
    assert not RouterModel.objects.filter(active=True).exists()


def test_a_missing_or_altered_file_turns_suggestions_off_instead_of_failing(db, tmp_path, model_file):
    entry = _register_copy(model_file, tmp_path, "a.joblib")
    registry.activate_version(entry)
    registry._loaded.clear()
    (tmp_path / "a.joblib").write_bytes(b"not a model")
    assert registry.active() is None
