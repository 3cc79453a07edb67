"""Make the personas and the small world of tests/conftest.py available to the app tests."""

from tests.conftest import _fast_passwords, login, people, world  # noqa: F401 - fixtures
