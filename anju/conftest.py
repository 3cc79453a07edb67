"""Make the personas and the small world of tests/conftest.py available to the app tests."""

from tests.conftest import (  # noqa: F401 - fixtures
    _fast_passwords,
    _fresh_calendar,
    _seed_rows,
    login,
    people,
    world,
)
