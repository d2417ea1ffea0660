import pytest
import torch


@pytest.fixture(autouse=True)
def _single_thread():
    # Tests compare numbers bit for bit; one thread keeps reductions in one order.
    previous = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(previous)


def pytest_collection_modifyitems(config, items):
    """The slow end-to-end tests first, longest first (``slow(seconds=...)``, about what they take
    on 2 cores): run in parallel (make test), the other process works through the fast ones
    meanwhile instead of waiting for the last slow test to finish."""

    def expected_seconds(item):
        marker = item.get_closest_marker("slow")
        return 0 if marker is None else marker.kwargs.get("seconds", 60)

    items.sort(key=expected_seconds, reverse=True)
