"""The worker's background sending: timer-driven, back-off on failure, status sentences."""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest
from PySide6.QtCore import QObject, Signal

from meixian_desktop.store import settings
from meixian_desktop.sync.http import Pushed
from meixian_desktop.ui.tasks import run_now


class _TimerSignals(QObject):
    timeout = Signal()


@dataclass
class FakeTimer:
    """Stands in for QTimer: records when the agent asked to be woken, fires on demand."""

    parent: object
    started: list[int] = field(default_factory=list)
    single: bool = False

    def __post_init__(self) -> None:
        self._signals = _TimerSignals()  # one QObject class for all: made once, not per timer
        self.timeout = self._signals.timeout

    def setSingleShot(self, single: bool) -> None:  # noqa: N802 (Qt's name)
        self.single = single

    def start(self, ms: int) -> None:
        self.started.append(ms)

    def fire(self) -> None:
        self.timeout.emit()


@pytest.fixture
def agent_for(qtbot, session):
    from meixian_desktop.store import profile as profile_store
    from meixian_desktop.ui.sync_agent import SyncAgent

    def make(results: list[Pushed]):
        calls: list[str] = []

        def push(store, keys, profile, paths, url):
            calls.append(url)
            return results.pop(0)

        agent = SyncAgent(session.store, session.paths, profile_store.load(session.store),
                          runner=run_now, make_timer=FakeTimer, push=push)
        said: list[str] = []
        agent.status.connect(lambda text: said.append(text))
        return agent, calls, said

    return make


def test_no_hub_address_means_usb_only(agent_for) -> None:
    agent, calls, said = agent_for([])
    agent.start()
    agent.timer.fire()
    assert calls == [] and "U盘" in said[-1]


def test_it_backs_off_while_unreachable_and_sends_when_the_hub_answers(agent_for, store) -> None:
    from meixian_desktop.ui.sync_agent import CHECK_EVERY_MS, FIRST_RETRY_MS

    settings.put(store, "hub_url", "http://127.0.0.1:9")
    down = Pushed(reachable=False)
    agent, calls, said = agent_for([down, Pushed(reachable=False), Pushed(sent=3)])
    agent.start()
    assert agent.timer.started == [0]
    agent.timer.fire()
    assert said[-1] == "同步：镇里服务器不可达，将自动重试"
    agent.timer.fire()
    assert agent.timer.started[1:] == [FIRST_RETRY_MS, FIRST_RETRY_MS * 2]  # doubling
    agent.timer.fire()  # the hub is back
    assert said[-1].startswith("同步：已同步 3 批，")
    assert agent.timer.started[-1] == CHECK_EVERY_MS and agent.delay == FIRST_RETRY_MS
    assert calls == ["http://127.0.0.1:9"] * 3


def test_a_busy_hub_is_retried_when_it_says(agent_for, store) -> None:
    settings.put(store, "hub_url", "http://127.0.0.1:9")
    agent, _calls, said = agent_for([Pushed(retry_after=12, lines=["忙"])])
    agent.sync_now()
    assert agent.timer.started == [12_000] and "12 秒后重试" in said[-1]


def test_background_sending_fires_on_its_own_when_the_real_hub_appears(qtbot, tmp_path) -> None:
    import socket
    import subprocess
    import sys

    from meixian_desktop.sync.http import reachable
    from meixian_desktop.sync.outbox import waiting_counts
    from meixian_desktop.ui.sync_agent import FIRST_RETRY_MS, SyncAgent
    from tests.sync.homes import SANLI, ZHANGHAN, connect, make_home, patrol

    town = make_home(tmp_path / "town", "town", "梅仙镇人民政府", [])
    worker = make_home(tmp_path / "worker", "worker", "李梅", [ZHANGHAN, SANLI])
    connect(town, worker, tmp_path / "stick")
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    url = f"http://127.0.0.1:{port}"
    settings.put(worker.store, "hub_url", url)
    patrol(worker, "等网络")
    town.take(worker.export(tmp_path / "stick").path, approve_new=True)  # approved once by USB
    patrol(worker, "网络来了再发")
    agent = SyncAgent(worker.store, worker.paths, worker.profile, runner=run_now,
                      make_timer=FakeTimer)
    said: list[str] = []
    agent.status.connect(lambda text: said.append(text))
    agent.start()
    agent.timer.fire()  # no hub yet
    assert said[-1] == "同步：镇里服务器不可达，将自动重试"
    assert agent.timer.started[-1] == FIRST_RETRY_MS
    hub = subprocess.Popen([sys.executable, "-m", "meixian_desktop.hub", "--home",
                            str(tmp_path / "town"), "--host", "127.0.0.1", "--port", str(port)],
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        qtbot.waitUntil(lambda: reachable(url, timeout=1), timeout=20_000)
        agent.timer.fire()  # the retry the agent asked for
        # the new patrol, then the USB batch the town never answered (no receipt came back)
        assert said[-1].startswith("同步：已同步 2 批")
        assert waiting_counts(worker.store) == {}
        assert town.count("patrols") == 2
    finally:
        hub.terminate()
        hub.wait(10)
        worker.session.close()
        town.session.close()
        agent.deleteLater()  # not left for the interpreter's last collection
        qtbot.wait(1)


def test_a_batch_held_for_approval_is_not_called_up_to_date(agent_for, store) -> None:
    from meixian_desktop.ui.sync_agent import FIRST_RETRY_MS

    settings.put(store, "hub_url", "http://127.0.0.1:9")
    agent, _calls, said = agent_for([Pushed(held=True, lines=["等镇里批准"])])
    agent.sync_now()
    assert said[-1] == "同步：已送到镇里，等镇里批准本机"
    assert agent.timer.started == [FIRST_RETRY_MS]  # asks again soon for the receipt
