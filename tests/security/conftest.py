"""The integrations' API keys, shared with the security tests."""

from tests.integrations.conftest import keys  # noqa: F401
