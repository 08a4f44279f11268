"""The `forms` and `print` commands."""

from __future__ import annotations

import argparse

from meixian_desktop.cli.printing import add_print_commands, cmd_forms, cmd_print
from tests.printing.helpers import full_order, pdf_text


def test_forms_lists_every_form(paths, capsys) -> None:
    assert cmd_forms(paths, argparse.Namespace()) == 0
    out = capsys.readouterr().out
    assert "supervision_order" in out and "督促监护令" in out and "河道巡查记录表" in out


def test_print_writes_the_pdf(session, tmp_path, capsys) -> None:
    order_id = full_order(session.store)
    paths = session.paths
    session.close()  # the command opens the folder itself
    parser = argparse.ArgumentParser()
    add_print_commands(parser.add_subparsers(dest="command"))
    out = tmp_path / "notice.pdf"
    args = parser.parse_args(["print", "supervision_order", order_id, "-o", str(out)])
    assert cmd_print(paths, args) == 0
    assert "平检未督〔2025〕7号" in pdf_text(out)
    assert "已打印到" in capsys.readouterr().out
    bad = parser.parse_args(["print", "supervision_order", "nope", "-o", str(out)])
    assert cmd_print(paths, bad) == 1
    assert "找不到" in capsys.readouterr().err


def test_print_works_while_the_app_has_the_folder_open(session, tmp_path, capsys) -> None:
    import pytest

    from meixian_desktop.store.errors import AlreadyRunning
    from meixian_desktop.store.schema import VERSION
    from meixian_desktop.store.session import open_session
    from tests.databases import raw_connection

    order_id = full_order(session.store)  # `session` stands for the running app: it holds the lock
    parser = argparse.ArgumentParser()
    add_print_commands(parser.add_subparsers(dest="command"))
    out = tmp_path / "notice.pdf"
    args = parser.parse_args(["print", "supervision_order", order_id, "-o", str(out)])
    assert cmd_print(session.paths, args) == 0
    assert "平检未督〔2025〕7号" in pdf_text(out)
    actions = session.store.conn.execute(
        "SELECT count(*) FROM audit_log WHERE action = 'print'").fetchone()[0]
    assert actions == 1  # the print's audit line reached the app's database
    with pytest.raises(AlreadyRunning):
        open_session(session.paths)  # anything else still waits for the app to close
    raw = raw_connection(session.paths.database)
    raw.execute(f"PRAGMA user_version = {VERSION - 1}")  # as if the program were newer
    raw.close()
    with pytest.raises(AlreadyRunning):
        open_session(session.paths, beside_app=True)  # a migration never runs beside the app
