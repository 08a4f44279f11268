"""The editor of one finding (发现问题): what, where, what was done, follow-up, status, photos."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from meixian_desktop.core import clock
from meixian_desktop.core.categories import CategorySet
from meixian_desktop.core.errors import Problems
from meixian_desktop.core.patrols import ACTIONS, STATUSES, TRANSITIONS, parse_finding, transition
from meixian_desktop.store.database import Store
from meixian_desktop.ui.widgets.fields import (
    FieldForm,
    category_combo,
    combo_code,
    line,
    set_combo_code,
    text_area,
)
from meixian_desktop.ui.widgets.photos import PhotoStrip


class FindingEditor(QDialog):
    """Edit one finding; ``raw()`` gives what was typed, checked by core's rules."""

    def __init__(self, store: Store, attachments_dir: Path, kind: str, categories: CategorySet,
                 worker: str, raw: dict[str, Any] | None = None, patrol_date: date | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.kind = kind
        self.categories = categories
        self.worker = worker
        self.patrol_date = patrol_date
        self.original = dict(raw or {"status": "open", "action": "registered"})
        self.status = str(self.original.get("status") or "open")
        self.history: list[dict[str, Any]] = list(self.original.get("history") or [])
        self.setWindowTitle(self.tr("发现问题"))
        self.form = FieldForm()
        f = self.form
        self.category = f.add("category", self.tr("问题类别"),
                              category_combo(categories.active(), blank=self.tr("（请选择）")))
        self.description = f.add("description", self.tr("问题描述"), text_area())
        self.place = f.add("place", self.tr("地点"), line(placeholder=self.tr("如：张韩村后山")))
        self.lat = f.add("lat", self.tr("纬度"), line(placeholder=self.tr("可不填，如 28.7012")))
        self.lon = f.add("lon", self.tr("经度"), line(placeholder=self.tr("可不填，如 113.5987")))
        self.persons = f.add("persons", self.tr("涉及人员"), line())
        self.action = f.add("action", self.tr("处置方式"), category_combo(ACTIONS))
        self.area_mu = f.add("area_mu", self.tr("面积（亩）"), line())
        self.deadline = f.add("deadline", self.tr("整改期限"), line(placeholder="如 2025-03-05"))
        self.recheck_date = f.add("recheck_date", self.tr("复查日期"), line(placeholder="如 2025-03-05"))
        self.recheck_result = f.add("recheck_result", self.tr("复查结果"), line())
        f.set_row_visible("area_mu", kind == "farmland")
        self.photos = PhotoStrip(store, attachments_dir)
        self.status_label = QLabel()
        self.history_label = QLabel()
        self.history_label.setWordWrap(True)
        self.note = line(placeholder=self.tr("处理说明（可不填）"))
        self.status_buttons = QHBoxLayout()
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText(self.tr("确定"))
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(self.tr("取消"))
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.form)
        layout.addWidget(QLabel(self.tr("照片")))
        layout.addWidget(self.photos)
        status_row = QHBoxLayout()
        status_row.addWidget(self.status_label)
        status_row.addWidget(self.note, 1)
        layout.addWidget(self.history_label)
        layout.addLayout(status_row)
        layout.addLayout(self.status_buttons)
        layout.addWidget(self.buttons)
        self._load(self.original)
        for widget in (self.place, self.lat, self.lon, self.persons, self.area_mu, self.deadline,
                       self.recheck_date, self.recheck_result):
            widget.textChanged.connect(self.check)
        self.description.textChanged.connect(self.check)
        self.category.currentIndexChanged.connect(self.check)
        self.resize(620, 720)

    def _load(self, raw: dict[str, Any]) -> None:
        set_combo_code(self.category, raw.get("category"))
        self.description.setPlainText(str(raw.get("description") or ""))
        for key in ("place", "lat", "lon", "persons", "area_mu", "deadline", "recheck_date",
                    "recheck_result"):
            getattr(self, key).setText(str(raw.get(key) or ""))
        set_combo_code(self.action, raw.get("action") or "registered")
        self.photos.set_hashes(list(raw.get("photos") or []))
        self._show_status()

    def _show_status(self) -> None:
        self.status_label.setText(self.tr("状态：") + STATUSES.label_of(self.status))
        lines = [
            f"{str(h['at'])[:16].replace('T', ' ')} {h['by']}：{STATUSES.label_of(h['from_status'])}"
            f" → {STATUSES.label_of(h['to_status'])}" + (f"（{h['note']}）" if h.get("note") else "")
            for h in self.history
        ]
        self.history_label.setText(self.tr("处理记录：\n") + "\n".join(lines) if lines else "")
        while self.status_buttons.count():
            taken = self.status_buttons.takeAt(0)
            widget = taken.widget() if taken is not None else None
            if widget is not None:
                widget.deleteLater()
        for target, verb in TRANSITIONS[self.status].items():
            button = QPushButton(verb)
            button.setObjectName(f"to_{target}")
            button.clicked.connect(lambda _=False, t=target: self.move_to(t))
            self.status_buttons.addWidget(button)
        self.status_buttons.addStretch()

    def move_to(self, target: str) -> None:
        """Apply a lifecycle step now, stamped with the time and the worker's name."""
        change = transition(self.status, target, self.worker, self.note.text())
        self.history.append(vars(change))
        self.status = target
        self.note.clear()
        self._show_status()

    def raw(self) -> dict[str, Any]:
        return {
            "id": self.original.get("id"),
            "category": combo_code(self.category),
            "description": self.description.toPlainText(),
            "place": self.place.text(), "lat": self.lat.text(), "lon": self.lon.text(),
            "persons": self.persons.text(), "action": combo_code(self.action),
            "area_mu": self.area_mu.text() if self.kind == "farmland" else "",
            "deadline": self.deadline.text(), "recheck_date": self.recheck_date.text(),
            "recheck_result": self.recheck_result.text(), "status": self.status,
            "photos": list(self.photos.hashes), "history": list(self.history),
        }

    def check(self) -> dict[str, str]:
        """Check as the user types; returns the problems shown."""
        problems = Problems()
        parse_finding(self.raw(), self.kind, self.patrol_date, today=clock.today(),
                      problems=problems, prefix="",
                      categories_by_kind={self.kind: self.categories})
        self.form.show_problems(problems.found)
        return problems.found

    def accept(self) -> None:
        if not self.check():
            super().accept()
