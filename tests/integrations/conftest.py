import pytest

from minsheng.integrations.services import KEY_ACTIONS, create_api_key

# g1 is drawn as a small square; points inside it land in that grid.
G1_SQUARE = [[[116.40, 39.90], [116.41, 39.90], [116.41, 39.91], [116.40, 39.91], [116.40, 39.90]]]


@pytest.fixture
def keys(world):
    """Raw API keys: the 12345 platform (the operator's account, whole district), a
    read-only dashboard, and a community app limited to c2."""
    world.regions["g1"].boundary = G1_SQUARE
    world.regions["g1"].save()
    raw = {}
    _, raw["hotline"] = create_api_key(name="12345平台", user=world.user("operator"), region=world.regions["d"],
                                       actions=["read", "register", "external_update", "verify", "revisit", "close"])
    _, raw["dashboard"] = create_api_key(name="大屏", user=world.user("leader"), region=world.regions["d"],
                                         actions=["read"])
    _, raw["c2app"] = create_api_key(name="雷锋社区小程序", user=world.user("operator"), region=world.regions["c2"],
                                     actions=["read", "register"])
    _, raw["operator_all"] = create_api_key(name="话务台", user=world.user("operator"), region=world.regions["d"],
                                            actions=sorted(KEY_ACTIONS))
    return raw
