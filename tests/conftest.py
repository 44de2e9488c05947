"""Shared test wiring: each fixture family lives in its own module under tests/fixtures/."""

pytest_plugins = [
    "tests.fixtures.fake_today",  # first: the session's date is set before anything reads it
    "tests.fixtures.simulator",
    "tests.fixtures.database",
]
