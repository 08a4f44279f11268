"""A lost laptop reveals nothing: with the app closed, no file under the home holds a name,
an ID number or a phone number of the demo's people in any form a finder could read."""

from __future__ import annotations

import logging
from pathlib import Path

from meixian_desktop.app import main
from meixian_desktop.paths import under_home
from meixian_desktop.store import vault
from meixian_desktop.store.session import open_session

ENCODINGS = ("utf-8", "utf-16-le", "utf-16-be", "gb18030")
# Every secret is at least two characters: 6 bytes in UTF-8, so each is sought at least once.


def secrets_of(home: Path) -> set[str]:
    """The demo's personal data, read through the app while it is unlocked."""
    with open_session(under_home(home)) as session:
        conn = session.store.conn
        found: set[str] = set()
        for sql in ("SELECT head_name, phone FROM households",
                    "SELECT name, id_number, phone FROM members",
                    "SELECT minor_name, minor_id_number FROM orders",
                    "SELECT name, id_number, phone FROM case_parties"):
            for row in conn.execute(sql):
                found.update(str(value) for value in row if value and len(str(value)) >= 2)
    return found


def use_the_app_for_a_while(home: Path, tmp_path: Path) -> None:
    """What leaves traces: a draft typed and left, a print, an error logged, a backup."""
    from PySide6.QtWidgets import QApplication

    from meixian_desktop.logs import configure
    from meixian_desktop.store import profile as profile_store
    from meixian_desktop.ui.crash import report
    from meixian_desktop.ui.main_window import MainWindow
    from meixian_desktop.ui.tasks import run_now

    paths = under_home(home)
    app = QApplication.instance() or QApplication([])
    log_file = configure(paths.log_dir)
    with open_session(paths) as session:
        window = MainWindow(session, profile_store.load(session.store), runner=run_now)
        page = window.show_section("visit")
        household = session.store.conn.execute(
            "SELECT id, head_name FROM households LIMIT 1").fetchone()
        editor = page.new_visit(household[0])
        editor.person_met.setText(household[1])
        editor.save_draft()
        order_id = session.store.conn.execute("SELECT id FROM orders LIMIT 1").fetchone()[0]
        order = window.show_section("order").open_order(order_id)
        assert order is not None and order.print_form("supervision_order")
        order.preview.close()
        order.close()
        try:
            raise KeyError(household[1] + " 430626197808120112")
        except KeyError as exc:
            report(type(exc), exc, exc.__traceback__, log_file)
        editor.close()
        window.close()
        app.processEvents()
    for handler in logging.getLogger("meixian_desktop").handlers[:]:
        handler.close()
        logging.getLogger("meixian_desktop").removeHandler(handler)
    assert main(["--home", str(home), "backup"]) == 0


def test_nothing_personal_can_be_read_from_the_closed_apps_files(tmp_path, qtbot) -> None:
    home = tmp_path / "laptop"
    assert main(["--home", str(home), "demo"]) == 0
    secrets = secrets_of(home)
    assert len(secrets) > 50  # names, ID numbers and phones of the demo's households
    use_the_app_for_a_while(home, tmp_path)
    vault.forget()  # the app is closed
    files = [path for path in home.rglob("*") if path.is_file()]
    assert any(path.suffix == ".db" for path in files) and len(files) > 5
    leaks = []
    for path in files:
        data = path.read_bytes()
        for secret in secrets:
            for encoding in ENCODINGS:
                needle = secret.encode(encoding)
                # Encrypted files are random bytes: a 4-byte needle (a two-character name in
                # UTF-16) turns up in a megabyte of them about once in 4,000 tries by chance
                # alone; 6 bytes and more do not (the name is still sought in UTF-8).
                if len(needle) >= 6 and needle in data:
                    leaks.append(f"{path.relative_to(home)}: {secret} ({encoding})")
    assert leaks == []
    assert (home / "logs" / "meixian.log").read_text(encoding="utf-8").count("######") >= 1
