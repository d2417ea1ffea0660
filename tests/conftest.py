import pytest
import torch


@pytest.fixture(autouse=True)
def _single_thread():
    # Tests compare numbers bit for bit; one thread keeps reductions in one order.
    previous = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(previous)
