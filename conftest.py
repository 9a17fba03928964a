# Fixtures shared by every test folder live in tests/fixtures/ (pytest_plugins
# must be declared in the root conftest).
pytest_plugins = ["tests.fixtures.stores"]
