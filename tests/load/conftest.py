"""The load-and-fault tier prints what it counted, per database and mode, at the end
of the run (also when it passes), so CI's log carries the numbers."""

import pytest

RESULTS = pytest.StashKey[list]()


def pytest_configure(config):
    config.stash[RESULTS] = []


@pytest.fixture
def load_results(request) -> list:
    return request.config.stash[RESULTS]


def pytest_terminal_summary(terminalreporter, config):
    results = config.stash.get(RESULTS, [])
    if not results:
        return
    from bench.load import table

    terminalreporter.section("sign-ins under load, per fault mode")
    for label, tally in results:
        terminalreporter.write_line(f"[{label}] {tally.summary()}")
    terminalreporter.write_line("")
    terminalreporter.write_line(table(results))
