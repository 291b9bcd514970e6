import pytest

from strata_server import StrataServer


@pytest.fixture
def server(tmp_path):
    s = StrataServer(tmp_path / "data").start()
    yield s
    s.stop()


@pytest.fixture
def make_server(tmp_path):
    started = []

    def make(name="data", extra_args=(), env=None, start=True):
        s = StrataServer(tmp_path / name, extra_args, env)
        started.append(s)
        return s.start() if start else s

    yield make
    for s in started:
        try:
            s.stop()
        except Exception:
            pass
