"""A record's child rows in its editor: the table with 添加 / 修改 / 删除, and the small dialog
that edits one row checked by a core parser. Shared by every editor with child rows."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QScrollArea,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from meixian_desktop.ui.widgets.fields import ERROR_STYLE, FieldForm


def table(model: Any, on_open: Callable[[int], object]) -> QTableView:
    view = QTableView()
    view.setModel(model)
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    view.horizontalHeader().setStretchLastSection(True)
    view.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    view.doubleClicked.connect(lambda index: on_open(index.row()))
    return view


class ChildDialog(QDialog):
    """A small dialog editing one child row (member, measure) checked by a core parser."""

    def __init__(self, title: str, raw: dict[str, Any], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.original = dict(raw)
        self.form = FieldForm()
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                        | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)

    def finish_layout(self) -> None:
        layout = QVBoxLayout(self)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(self.form)
        layout.addWidget(scroll, 1)
        layout.addWidget(self.buttons)

    def raw(self) -> dict[str, Any]:
        raise NotImplementedError

    def problems(self) -> dict[str, str]:
        raise NotImplementedError

    def check(self) -> dict[str, str]:
        found = self.problems()
        self.form.show_problems(found)
        return found

    def accept(self) -> None:
        if not self.check():
            super().accept()


class ChildTable(QWidget):
    """A table of a record's child rows (members, measures, findings) with 添加 / 修改 / 删除,
    each row edited in its own dialog (anything with ``raw()`` and ``accepted``)."""

    def __init__(self, model: Any, make_dialog: Callable[[dict[str, Any]], Any],
                 noun: str, on_change: Callable[[], None], parent: QWidget | None = None,
                 *, edit_label: str = "") -> None:
        super().__init__(parent)
        self.model = model
        self.make_dialog = make_dialog
        self.on_change = on_change
        self.open_dialog: Any = None
        self.view = table(model, self.edit)
        self.error = QLabel()
        self.error.setStyleSheet(ERROR_STYLE)
        self.error.setWordWrap(True)
        buttons = QHBoxLayout()
        for text, handler in ((f"添加{noun}…", lambda: self.edit(None)),
                              (edit_label or f"修改{noun}…", self.edit_selected),
                              (f"删除{noun}", self.remove_selected)):
            button = QPushButton(text)
            button.clicked.connect(handler)
            buttons.addWidget(button)
        buttons.addStretch()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.view, 1)
        layout.addWidget(self.error)
        layout.addLayout(buttons)

    def edit(self, number: int | None) -> Any:
        """Open the row's dialog without blocking; 确定 puts the row back here."""
        dialog = self.make_dialog(self.model.rows[number] if number is not None else {})
        dialog.setParent(self, Qt.WindowType.Dialog)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.accepted.connect(lambda: self.apply(number, dialog.raw()))
        self.open_dialog = dialog
        dialog.open()
        return dialog

    def apply(self, number: int | None, raw: dict[str, Any]) -> None:
        if number is None:
            self.model.add(raw)
        else:
            self.model.replace(number, raw)
        self.on_change()

    def edit_selected(self) -> None:
        if self.view.currentIndex().isValid():
            self.edit(self.view.currentIndex().row())

    def remove_selected(self) -> None:
        if self.view.currentIndex().isValid():
            self.model.remove(self.view.currentIndex().row())
            self.on_change()

    def show_problems(self, problems: dict[str, str], prefix: str, noun: str) -> None:
        """The problems of rows (``members.2.name``) under the table, one line each."""
        lines = [f"第 {int(key.split('.')[1]) + 1} {noun}：{message}"
                 for key, message in problems.items() if key.startswith(prefix)]
        self.error.setText("\n".join(dict.fromkeys(lines)))
