"""The people desk fixtures (tests/web/people/conftest.py) for the payroll API tests."""

from tests.web.people.conftest import desk, shared_desk  # noqa: F401 - pytest finds fixtures by name
