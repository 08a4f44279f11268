"""The command line's lists are the window's lists: for every kind and filter, the rows the CLI
prints are the rows the table model shows, cell for cell (both read store/lists.py)."""

from __future__ import annotations

import argparse
from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from meixian_desktop.cli.lists import CONDITIONS, list_rows
from meixian_desktop.core import clock
from meixian_desktop.demo import fill_demo
from meixian_desktop.paths import under_home
from meixian_desktop.store.lists import LISTS
from meixian_desktop.store.session import Session, open_session
from meixian_desktop.ui.models.households import HouseholdTableModel
from meixian_desktop.ui.models.mediation import CaseTableModel
from meixian_desktop.ui.models.orders import OrderTableModel
from meixian_desktop.ui.models.patrols import PatrolTableModel

MODELS = {"patrols": PatrolTableModel, "households": HouseholdTableModel,
          "orders": OrderTableModel, "cases": CaseTableModel}
FILTERS = {
    "patrols": [{}, {"kind": "river"}, {"open": True}, {"overdue": True}, {"search": "河"}],
    "households": [{}, {"tag": "dibao"}, {"due": True}, {"overdue": True}, {"search": "王"}],
    "orders": [{}, {"status": "observing"}, {"overdue": True}],
    "cases": [{}, {"status": "closed"}, {"overdue": True}, {"search": "张"}],
}


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Session:
    session = open_session(under_home(Path(tmp_path_factory.mktemp("lists"))))
    fill_demo(session)
    yield session
    session.close()


def _args(**chosen: object) -> argparse.Namespace:
    base = {"kind": None, "search": "", "open": False, "overdue": False, "tag": "",
            "due": False, "status": "", "limit": 10_000}
    return argparse.Namespace(**{**base, **chosen})


@pytest.mark.parametrize(("name", "chosen"), [(name, chosen) for name, options in FILTERS.items()
                                             for chosen in options])
def test_the_cli_prints_what_the_model_shows(qtbot, demo: Session, name: str,
                                             chosen: dict[str, object]) -> None:
    today = clock.today()
    args = _args(**chosen)
    printed = list_rows(demo.store, name, args, today)
    model = MODELS[name](demo.store, today=today)
    model.set_filter(*CONDITIONS[name](demo.store, args, today))
    keys = [column.key for column in LISTS[name](demo.store, today).columns]
    shown = [{"id": model.index(row, 0).data(Qt.ItemDataRole.UserRole),
              **{key: model.index(row, column).data() for column, key in enumerate(keys)}}
             for row in range(model.rowCount())]
    assert printed == shown
    if not chosen:
        assert len(printed) > 5, name  # the demo has records of every kind
