"""The record editor's shared machinery: checked as typed, autosaved drafts, one-step save."""

from __future__ import annotations

import io
from collections.abc import Callable
from datetime import date
from typing import Any

from PySide6.QtCore import QTimer, Signal
from PySide6.QtGui import QCloseEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QDialog,
    QHBoxLayout,
    QLabel,
    QMenu,
    QMessageBox,
    QPushButton,
    QWidget,
)

from meixian_desktop.core import clock
from meixian_desktop.core.errors import RecordInvalid, ValidationError
from meixian_desktop.core.ids import uuid7
from meixian_desktop.paths import Paths
from meixian_desktop.store import drafts
from meixian_desktop.store import settings as settings_store
from meixian_desktop.store.database import Store, Transaction
from meixian_desktop.store.errors import StoreError


def draft_payload(payload: dict[str, Any]) -> dict[str, Any]:
    """A draft's payload marked so the editor opens it as unsaved."""
    return {**payload, "_draft": True}


class DraftingEditor(QDialog):
    """Base of every record editor. Subclasses build their widgets, then call ``start()``,
    and give ``raw()`` (what is typed), ``title()``, ``show_problems()`` and ``write()``."""

    draft_kind = ""
    saved = Signal(str)

    def __init__(self, store: Store, raw: dict[str, Any], *, today: date | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.store = store
        self.raw_in = dict(raw)
        if not self.raw_in.get("id"):
            self.raw_in["id"] = uuid7()
        self.today = today or clock.today()
        self.dirty = False
        self.saved_id: str | None = None
        self.autosave = QTimer(self)
        self.autosave.setInterval(1000 * settings_store.get(store, "autosave_seconds"))
        self.autosave.timeout.connect(self.save_draft)
        self.checker = QTimer(self)
        self.checker.setSingleShot(True)
        self.checker.setInterval(300)
        self.checker.timeout.connect(self.check)
        self.draft_label = QLabel()

    @property
    def draft_key(self) -> str:
        return f"{self.draft_kind}:{self.raw_in['id']}"

    def start(self) -> None:
        """Call at the end of the subclass's __init__, after loading the raw record."""
        self.dirty = bool(self.raw_in.get("_draft"))
        self.autosave.start()
        QShortcut(QKeySequence("Ctrl+S"), self, self.save)

    def button_row(self, *, save_is_default: bool = True) -> QHBoxLayout:
        """[打印…] · 放弃修改 · 关闭 · 保存, with the draft status on the left."""
        row = QHBoxLayout()
        row.addWidget(self.draft_label, 1)
        printing = self.print_button()
        if printing is not None:
            row.addWidget(printing)
        for text, handler, default in ((self.tr("放弃修改"), self.discard, False),
                                       (self.tr("关闭"), self.close, False),
                                       (self.tr("保存 (Ctrl+S)"), self.save, save_is_default)):
            button = QPushButton(text)
            button.setDefault(default)
            button.clicked.connect(handler)
            row.addWidget(button)
        return row

    def lay_out(self, body: QWidget, *below: QWidget, save_is_default: bool = True) -> None:
        """The editor's window: ``body`` scrolling, then ``below`` (message lines), then the
        button row."""
        from PySide6.QtWidgets import QScrollArea, QVBoxLayout

        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(body)
        layout = QVBoxLayout(self)
        layout.addWidget(scroll, 1)
        for widget in below:
            layout.addWidget(widget)
        layout.addLayout(self.button_row(save_is_default=save_is_default))

    # -- printing ---------------------------------------------------------------------------
    def printable_forms(self) -> list[tuple[str, str]]:
        """(form name, label) this record prints as; none by default."""
        return []

    def print_button(self) -> QPushButton | None:
        """打印… (Ctrl+P): one form prints at once, several offer a menu."""
        forms = self.printable_forms()
        if not forms:
            return None
        button = QPushButton(self.tr("打印… (Ctrl+P)"))
        if len(forms) == 1:
            button.clicked.connect(lambda: self.print_form(forms[0][0]))
            QShortcut(QKeySequence("Ctrl+P"), self, lambda: self.print_form(forms[0][0]))
        else:
            menu = QMenu(button)
            for name, label in forms:
                menu.addAction(label).triggered.connect(
                    lambda _=False, n=name: self.print_form(n))
            button.setMenu(menu)
            QShortcut(QKeySequence("Ctrl+P"), self, button.showMenu)
        return button

    def print_form(self, name: str) -> bytes | None:
        """Save what is typed, render the form to a PDF in memory, note it in the audit log and
        show it in the print preview, from which it is printed or saved; returns the PDF."""
        from meixian_desktop.printing.fonts import FontFileError
        from meixian_desktop.printing.forms import PrintError, print_record
        from meixian_desktop.printing.templates import TemplateError

        if self.dirty and not self.save():
            return None
        record_id = str(self.raw_in["id"])
        paths: Paths | None = getattr(self, "paths", None)
        file_name = f"{name}-{clock.now():%Y%m%d-%H%M%S}-{record_id[-6:]}.pdf"
        out = io.BytesIO()  # in memory only: saved to the disk only where the user chooses
        actor = getattr(getattr(self, "profile", None), "name", "")
        try:
            # the town's own wording (a template in the config folder) as on the 打印 page
            result = print_record(self.store, name, record_id, out, actor=actor,
                                  config_dir=paths.config_dir if paths is not None else None)
        except (PrintError, TemplateError, FontFileError, StoreError) as exc:
            QMessageBox.warning(self, self.tr("无法打印"), exc.message)
            return None
        except OSError as exc:
            QMessageBox.warning(self, self.tr("无法打印"), self.tr("无法写入：") + str(exc))
            return None
        notes = [self.tr("已生成 PDF，共 %1 页。").replace("%1", str(result.pages))]
        notes.extend(result.messages())  # characters no font has, empty required fields
        self.draft_label.setText("\n".join(str(n) for n in notes))
        from meixian_desktop.ui.print_preview import PrintPreview

        self.preview = PrintPreview(out.getvalue(), dict(self.printable_forms()).get(name, name),
                                    result.messages(), self, name=file_name)
        self.preview.open()
        return out.getvalue()

    def watch(self, *signals: Any) -> None:
        """Treat these widget signals as edits: mark dirty and re-check shortly."""
        for signal in signals:
            signal.connect(self.changed)

    def changed(self, *_args: Any) -> None:
        self.dirty = True
        self.checker.start()

    # -- subclass hooks ---------------------------------------------------------------------
    def raw(self) -> dict[str, Any]:
        raise NotImplementedError

    def title(self) -> str:
        raise NotImplementedError

    def parse(self) -> Any:
        """Core's parse_* of ``raw()``; raises RecordInvalid."""
        raise NotImplementedError

    def write(self, tx: Transaction, record: Any) -> str:
        """Save the parsed record in ``tx``; returns its id."""
        raise NotImplementedError

    def show_problems(self, problems: dict[str, str]) -> None:
        raise NotImplementedError

    # -- checking and saving ----------------------------------------------------------------
    def check(self) -> dict[str, str]:
        """Check what is typed and show each problem at its field; returns the problems."""
        try:
            self.parse()
        except RecordInvalid as exc:
            problems = exc.problems
        else:
            problems = {}
        self.show_problems(problems)
        return problems

    def save(self) -> bool:
        """Check and save the whole record in one transaction; on any problem nothing is saved."""
        try:
            record = self.parse()
            with self.store.transaction() as tx:
                record_id = self.write(tx, record)
                drafts.discard(self.store, self.draft_key)
        except RecordInvalid as exc:
            self.show_save_problems(exc.problems)
            self.draft_label.setText(self.tr("还有需要修改的地方，见红字提示。"))
            return False
        except (ValidationError, StoreError) as exc:
            self.refused(exc.message)
            return False
        self.dirty = False
        self.saved_id = record_id
        self.raw_in["id"] = record_id
        self.after_save(record_id)
        self.saved.emit(record_id)
        self.draft_label.setText(self.tr("已保存。"))
        return True

    def show_save_problems(self, problems: dict[str, str]) -> None:
        """The problems the store found on saving, each at its field."""
        self.show_problems(problems)

    def refused(self, message: str) -> None:
        """A save the rules or the storage refused as a whole: told in a box."""
        QMessageBox.warning(self, self.tr("没有保存"), message)

    def after_save(self, record_id: str) -> None:
        """What an editor shows anew once its record is saved (nothing by default)."""

    def save_draft(self) -> bool:
        """Keep what is typed so far; returns whether a draft was written."""
        if not self.dirty:
            return False
        try:
            drafts.save(self.store, self.draft_key, self.draft_kind, self.title(), self.raw())
        except StoreError as exc:
            self.draft_label.setText(exc.message)
            return False
        self.draft_label.setText(self.tr("草稿已自动保存 ") + clock.now().strftime("%H:%M:%S"))
        return True

    def discard(self) -> None:
        """Throw away unsaved changes (and the draft) and close."""
        drafts.discard(self.store, self.draft_key)
        self.dirty = False
        self.close()

    def closeEvent(self, event: QCloseEvent) -> None:
        self.save_draft()
        self.autosave.stop()
        super().closeEvent(event)


class DraftBanner(QWidget):
    """“有 N 份没有保存的草稿” with 恢复 and 放弃, for one kind of editor."""

    def __init__(self, store: Store, kind: str, noun: str,
                 open_editor: Callable[[dict[str, Any]], QDialog],
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.store = store
        self.kind = kind
        self.noun = noun
        self.open_editor = open_editor
        self.open_keys: Callable[[], set[str]] = set
        self.label = QLabel()
        self.restore_button = QPushButton(self.tr("恢复草稿"))
        self.restore_button.clicked.connect(self.restore)
        self.discard_button = QPushButton(self.tr("放弃草稿"))
        self.discard_button.clicked.connect(self.discard)
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.label)
        row.addWidget(self.restore_button)
        row.addWidget(self.discard_button)
        row.addStretch()
        self.refresh()

    def waiting(self) -> list[drafts.Draft]:
        open_keys = self.open_keys()
        return [d for d in drafts.pending(self.store, self.kind) if d.key not in open_keys]

    def refresh(self) -> None:
        waiting = self.waiting()
        if waiting:
            titles = "、".join(d.title for d in waiting[:3])
            self.label.setText(self.tr("有 %1 份没有保存的%2草稿（%3）。").replace(
                "%1", str(len(waiting))).replace("%2", self.noun).replace("%3", titles))
        self.setVisible(bool(waiting))

    def restore(self) -> list[QDialog]:
        """Open an editor on every unsaved draft, with what was typed."""
        opened = [self.open_editor(draft_payload(d.payload)) for d in self.waiting()]
        self.refresh()
        return opened

    def discard(self) -> None:
        answer = QMessageBox.question(self, self.tr("放弃草稿"),
                                      self.tr("确定放弃这些没有保存的草稿吗？放弃后无法找回。"))
        if answer != QMessageBox.StandardButton.Yes:
            return
        for draft in self.waiting():
            drafts.discard(self.store, draft.key)
        self.refresh()
