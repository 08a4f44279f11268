"""A table whose rows are typed straight into cells (guardians, duties, waypoints, referrals)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from meixian_desktop.ui.widgets.fields import ERROR_STYLE

BAD_CELL = QBrush(QColor("#fde7e9"))


class RowTable(QWidget):
    """Rows typed into a table (guardians, duties); problems marked at their cells."""

    changed = Signal()

    def __init__(self, columns: list[tuple[str, str]], add_text: str, *,
                 blank_rows: bool = True, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.blank_rows = blank_rows  # False: rows left empty are not part of the value
        self.keys = [key for key, _header in columns]
        self.table = QTableWidget(0, len(columns))
        self.table.setHorizontalHeaderLabels([header for _key, header in columns])
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.setMinimumHeight(120)
        self.table.itemChanged.connect(lambda _item: self.changed.emit())
        self.message = QLabel()
        self.message.setStyleSheet(ERROR_STYLE)
        self.message.setWordWrap(True)
        self.buttons = QHBoxLayout()
        self.add_button(add_text, lambda: self.add_row())
        self.add_button(self.tr("删除选中行"), self.remove_row)
        self.buttons.addStretch()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.table)
        layout.addLayout(self.buttons)
        layout.addWidget(self.message)

    def add_button(self, text: str, handler: Callable[[], object]) -> QPushButton:
        """A button in the row under the table (before the stretch, if any)."""
        button = QPushButton(text)
        button.clicked.connect(lambda _checked=False: handler())
        stretch = self.buttons.count() and self.buttons.itemAt(self.buttons.count() - 1)
        if stretch and stretch.spacerItem() is not None:
            self.buttons.insertWidget(self.buttons.count() - 1, button)
        else:
            self.buttons.addWidget(button)
        return button

    def set_rows(self, rows: list[dict[str, Any]]) -> None:
        self.table.blockSignals(True)
        self.table.setRowCount(0)
        for row in rows:
            self.add_row(row)
        self.table.blockSignals(False)

    def add_row(self, values: dict[str, Any] | None = None) -> int:
        number = self.table.rowCount()
        self.table.insertRow(number)
        for column, key in enumerate(self.keys):
            self.table.setItem(number, column, QTableWidgetItem(str((values or {}).get(key) or "")))
        return number

    def set_cell(self, row: int, key: str, text: str) -> None:
        self.table.setItem(row, self.keys.index(key), QTableWidgetItem(text))
        self.changed.emit()

    def remove_row(self) -> None:
        if self.table.currentRow() >= 0:
            self.table.removeRow(self.table.currentRow())
            self.changed.emit()

    def filled_rows(self) -> list[dict[str, str]]:
        """The rows with anything typed in them, cells stripped."""
        rows = [{k: v.strip() for k, v in r.items()} for r in self.rows()]
        return [r for r in rows if any(r.values())]

    def value(self) -> list[dict[str, str]]:
        """The rows as a field of the record (see ``blank_rows``)."""
        return self.rows() if self.blank_rows else self.filled_rows()

    def set_value(self, value: Any) -> None:
        self.set_rows(list(value or []))

    def rows(self) -> list[dict[str, str]]:
        result = []
        for row in range(self.table.rowCount()):
            cells = [self.table.item(row, c) for c in range(len(self.keys))]
            result.append({key: cell.text() if cell else ""
                           for key, cell in zip(self.keys, cells, strict=True)})
        return result

    def show_problems(self, problems: dict[str, str], prefix: str, noun: str) -> None:
        """Colour each cell with a problem and list the problems row by row beneath."""
        self.table.blockSignals(True)
        lines = []
        if prefix.rstrip(".") in problems:
            lines.append(problems[prefix.rstrip(".")])
        for row in range(self.table.rowCount()):
            for column, key in enumerate(self.keys):
                message = problems.get(f"{prefix}{row}.{key}", "")
                item = self.table.item(row, column)
                if item is not None:
                    item.setBackground(BAD_CELL if message else QBrush())
                    item.setToolTip(message)
                if message:
                    lines.append(f"第 {row + 1} {noun}：{message}")
        self.table.blockSignals(False)
        self.message.setText("\n".join(lines))
        self.message.setVisible(bool(lines))
