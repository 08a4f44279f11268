"""Building record forms: fields with a message line under each, category combos, date boxes."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any, TypeVar

from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
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

    # -- the editor's loop: load what was typed, read it back, know when it changes ----------
    def values(self, *, skip: Iterable[str] = ()) -> dict[str, Any]:
        """Every field as core's parser reads it (line: text, combo: code, check list: codes,
        date: 2025-03-05, check box: bool, a widget of ours: its ``value()``). A key with a dot
        (``agreement.terms``) lands in a part of the record (``{"agreement": {"terms": …}}``)."""
        result: dict[str, Any] = {}
        skipped = set(skip)
        for key, widget in self.fields.items():
            if key not in skipped:
                part, _, name = key.rpartition(".")
                (result.setdefault(part, {}) if part else result)[name] = field_value(widget)
        return result

    def set_values(self, raw: dict[str, Any], *, skip: Iterable[str] = ()) -> None:
        """Put ``raw`` (a saved record as typed, or a draft) into the fields."""
        skipped = set(skip)
        for key, widget in self.fields.items():
            if key not in skipped:
                part, _, name = key.rpartition(".")
                set_field_value(widget, dict(raw.get(part) or {}).get(name) if part
                                else raw.get(key))

    def changes(self, *, skip: Iterable[str] = ()) -> list[Any]:
        """The signal each field sends when the user changes it (for autosave and checking)."""
        skipped = set(skip)
        return [field_changed(widget) for key, widget in self.fields.items()
                if key not in skipped]


def field_value(widget: QWidget) -> Any:
    """What a field holds, the way the core parsers read it."""
    if isinstance(widget, QLineEdit):
        return widget.text()
    if isinstance(widget, QPlainTextEdit):
        return widget.toPlainText()
    if isinstance(widget, QComboBox):
        return combo_code(widget)
    if isinstance(widget, QListWidget):
        return checked_codes(widget)
    if isinstance(widget, QDateEdit):
        return date_text(widget)
    if isinstance(widget, QCheckBox):
        return widget.isChecked()
    return widget.value()  # type: ignore[attr-defined]  # a widget of ours (waypoints, …)


def set_field_value(widget: QWidget, value: Any) -> None:
    """Show ``value`` (from a record as typed) in a field."""
    if isinstance(widget, QLineEdit):
        widget.setText("" if value is None else str(value))
    elif isinstance(widget, QPlainTextEdit):
        widget.setPlainText("" if value is None else str(value))
    elif isinstance(widget, QComboBox):
        set_combo_code(widget, value)
    elif isinstance(widget, QListWidget):
        set_checked(widget, value or (), chosen_first=bool(widget.property("chosen_first")))
    elif isinstance(widget, QDateEdit):
        day = QDate.fromString(str(value or ""), "yyyy-MM-dd")
        if day.isValid():
            widget.setDate(day)
    elif isinstance(widget, QCheckBox):
        widget.setChecked(bool(value))
    else:
        widget.set_value(value)  # type: ignore[attr-defined]


def field_changed(widget: QWidget) -> Any:
    """The signal a field sends when the user changes it."""
    if isinstance(widget, (QLineEdit, QPlainTextEdit)):
        return widget.textChanged
    if isinstance(widget, QComboBox):
        return widget.currentIndexChanged
    if isinstance(widget, QListWidget):
        return widget.itemChanged
    if isinstance(widget, QDateEdit):
        return widget.dateChanged
    if isinstance(widget, QCheckBox):
        return widget.toggled
    return widget.changed  # type: ignore[attr-defined]


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


def check_list(items: Iterable[tuple[str, str]], height: int = 96, *,
               chosen_first: bool = True) -> QListWidget:
    """A list of (code, label) choices with check boxes, for multi-select categories; with
    ``chosen_first`` a loaded record's ticked choices move to the top, in sight."""
    widget = QListWidget()
    widget.setFixedHeight(height)
    widget.setProperty("chosen_first", chosen_first)
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
