"""Building record forms: fields with a message line under each, category combos, date boxes."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any, TypeVar

from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDateEdit,
    QFormLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from meixian_desktop.core import clock
from meixian_desktop.core.categories import Category

ERROR_STYLE = "color: #b00020;"
W = TypeVar("W", bound=QWidget)


class FieldForm(QWidget):
    """A form whose every field has a red message line beneath it, filled from RecordInvalid."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.layout_ = QFormLayout(self)
        self.fields: dict[str, QWidget] = {}
        self.errors: dict[str, QLabel] = {}
        self.labels: dict[str, QLabel] = {}

    def add(self, key: str, label: str, widget: W) -> W:
        """Add a row; ``key`` is the field name core uses in its problems."""
        holder = QWidget()
        box = QVBoxLayout(holder)
        box.setContentsMargins(0, 0, 0, 0)
        box.setSpacing(1)
        box.addWidget(widget)
        error = QLabel()
        error.setStyleSheet(ERROR_STYLE)
        error.setWordWrap(True)
        error.setVisible(False)
        box.addWidget(error)
        caption = QLabel(label)
        self.layout_.addRow(caption, holder)
        self.fields[key] = widget
        self.errors[key] = error
        self.labels[key] = caption
        return widget

    def set_row_visible(self, key: str, visible: bool) -> None:
        self.labels[key].setVisible(visible)
        holder = self.fields[key].parentWidget()
        if holder is not None:
            holder.setVisible(visible)

    def show_problems(self, problems: dict[str, str], prefix: str = "") -> dict[str, str]:
        """Put each problem at its field; returns the problems that have no field here."""
        rest = {}
        for key, label in self.errors.items():
            message = problems.get(prefix + key, "")
            label.setText(message)
            label.setVisible(bool(message))
        for key, message in problems.items():
            if not key.startswith(prefix) or key[len(prefix):] not in self.errors:
                rest[key] = message
        return rest

    def error_text(self, key: str) -> str:
        return self.errors[key].text()


def category_combo(items: Iterable[Category], *, blank: str = "") -> QComboBox:
    """A combo of categories: shows the Chinese label, holds the code."""
    combo = QComboBox()
    if blank:
        combo.addItem(blank, "")
    for item in items:
        combo.addItem(item.label, item.code)
    return combo


def set_combo_code(combo: QComboBox, code: Any) -> None:
    index = combo.findData(code or "")
    combo.setCurrentIndex(max(index, 0))


def combo_code(combo: QComboBox) -> str:
    return str(combo.currentData() or "")


def date_box(value: date | None = None) -> QDateEdit:
    """A date field with a calendar; any date may be typed, the rules say what is allowed."""
    box = QDateEdit()
    box.setCalendarPopup(True)
    box.setDisplayFormat("yyyy-MM-dd")
    day = value or clock.today()
    box.setDate(QDate(day.year, day.month, day.day))
    return box


def date_text(box: QDateEdit) -> str:
    return box.date().toString("yyyy-MM-dd")


def line(text: str = "", placeholder: str = "") -> QLineEdit:
    edit = QLineEdit(text)
    if placeholder:
        edit.setPlaceholderText(placeholder)
    return edit


def text_area(text: str = "", height: int = 60) -> QPlainTextEdit:
    edit = QPlainTextEdit(text)
    edit.setFixedHeight(height)
    return edit


def check_list(items: Iterable[tuple[str, str]], height: int = 96) -> QListWidget:
    """A list of (code, label) choices with check boxes, for multi-select categories."""
    widget = QListWidget()
    widget.setFixedHeight(height)
    for code, label in items:
        item = QListWidgetItem(label)
        item.setData(Qt.ItemDataRole.UserRole, code)
        item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
        item.setCheckState(Qt.CheckState.Unchecked)
        widget.addItem(item)
    return widget


def checked_codes(widget: QListWidget) -> list[str]:
    return [
        widget.item(row).data(Qt.ItemDataRole.UserRole)
        for row in range(widget.count())
        if widget.item(row).checkState() == Qt.CheckState.Checked
    ]


def set_checked(widget: QListWidget, codes: Iterable[str], *, chosen_first: bool = False) -> None:
    """Tick ``codes``; with ``chosen_first`` the ticked ones move to the top, in sight."""
    chosen = set(codes)
    if chosen_first:
        for row in range(widget.count()):
            if widget.item(row).data(Qt.ItemDataRole.UserRole) in chosen:
                widget.insertItem(0, widget.takeItem(row))
    for row in range(widget.count()):
        item = widget.item(row)
        ticked = item.data(Qt.ItemDataRole.UserRole) in chosen
        item.setCheckState(Qt.CheckState.Checked if ticked else Qt.CheckState.Unchecked)


def categories_of(category_set: Iterable[Category]) -> list[tuple[str, str]]:
    return [(item.code, item.label) for item in category_set]


def table_view(model: Any) -> QTableView:
    """A read-only record list: whole rows selected, one at a time."""
    view = QTableView()
    view.setModel(model)
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    view.horizontalHeader().setStretchLastSection(True)
    view.horizontalHeader().setResizeContentsPrecision(40)  # measure a screenful, not 100,000
    view.verticalHeader().setVisible(False)
    model.modelReset.connect(view.resizeColumnsToContents)
    view.resizeColumnsToContents()
    return view
