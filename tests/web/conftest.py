import pytest


@pytest.fixture
def login(client, world):
    """``login("dispatcher1")`` → the test client, signed in as that user of the world."""
    def as_user(name):
        client.force_login(world.users[name])
        return client

    return as_user
