"""Shared test wiring: each fixture family lives in its own module under tests/fixtures/."""

pytest_plugins = [
    "tests.fixtures.simulator",
    "tests.fixtures.database",
]
