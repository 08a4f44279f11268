"""The 督促监护令 editor, with its 送达回证 and 回访 dialogs; checked as typed, autosaved."""

from __future__ import annotations

import json
from datetime import date, datetime
from typing import Any

from PySide6.QtCore import QDate, Qt, QTimer, Signal
from PySide6.QtGui import QBrush, QCloseEvent, QColor, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QScrollArea,
    QTableView,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from meixian_desktop.core.categories import CategorySet
from meixian_desktop.core.errors import RecordInvalid, ValidationError
from meixian_desktop.core.ids import uuid7
from meixian_desktop.core.orders import (
    COMPLIANCE,
    DEFAULT_CONSEQUENCES,
    DEFAULT_ISSUER,
    FACTS,
    FOLLOWUP_METHODS,
    GENDERS,
    LEGAL_BASIS,
    OUTCOMES,
    SERVICE_METHODS,
    STATUSES,
    SupervisionOrder,
    order_to_raw,
    parse_followup,
    parse_order,
    parse_service,
    pseudonym_of,
    timeline,
    transition,
)
from meixian_desktop.core.profile import Profile
from meixian_desktop.core.validation import check_id_number
from meixian_desktop.paths import Paths
from meixian_desktop.store import drafts, villages
from meixian_desktop.store import orders as order_store
from meixian_desktop.store import settings as settings_store
from meixian_desktop.store.database import Store
from meixian_desktop.store.errors import StoreError
from meixian_desktop.ui.forms import (
    ERROR_STYLE,
    FieldForm,
    category_combo,
    combo_code,
    date_box,
    date_text,
    line,
    set_combo_code,
    text_area,
)
from meixian_desktop.ui.models.orders import TimelineModel

DRAFT_KIND = "order"
TEXT_FIELDS = ("number", "issuer", "minor_name", "minor_pseudonym", "minor_id_number",
               "minor_birth_date", "observation_start", "observation_end", "feedback_method",
               "contact", "copies_to")
AREA_FIELDS = ("facts_detail", "consequences")
BAD_CELL = QBrush(QColor("#fde7e9"))


def draft_key(raw: dict[str, Any]) -> str:
    return f"{DRAFT_KIND}:{raw['id']}"


def draft_payload(payload: dict[str, Any]) -> dict[str, Any]:
    """A draft's payload marked so the editor treats it as unsaved."""
    return {**json.loads(json.dumps(payload)), "_draft": True}


def new_order_raw(profile: Profile, store: Store, today: date) -> dict[str, Any]:
    """A blank order in the worker's first village, with the usual issuer and wording."""
    own = [v.id for code in profile.villages if (v := villages.village_by_code(store, code))]
    return {"id": uuid7(), "issuer": DEFAULT_ISSUER, "issue_date": today.isoformat(),
            "village_id": own[0] if own else "", "guardians": [], "duties": [],
            "consequences": DEFAULT_CONSEQUENCES, "status": "pending", "history": []}


def draft_title(raw: dict[str, Any]) -> str:
    """What the draft banner shows: the number and the pseudonym, never the real name."""
    pseudonym = str(raw.get("minor_pseudonym") or "").strip() or pseudonym_of(
        str(raw.get("minor_name") or ""))
    return f"监护令 {str(raw.get('number') or '').strip() or '（未填文号）'} {pseudonym}".strip()


def check_list(items: CategorySet) -> QListWidget:
    """Checkboxes for a multi-select category set; the code rides on each item."""
    widget = QListWidget()
    for item in items.active():
        entry = QListWidgetItem(item.label)
        entry.setData(Qt.ItemDataRole.UserRole, item.code)
        entry.setFlags(entry.flags() | Qt.ItemFlag.ItemIsUserCheckable)
        entry.setCheckState(Qt.CheckState.Unchecked)
        widget.addItem(entry)
    widget.setFixedHeight(22 * len(items) + 8)
    return widget


def checked_codes(widget: QListWidget) -> list[str]:
    return [str(widget.item(r).data(Qt.ItemDataRole.UserRole)) for r in range(widget.count())
            if widget.item(r).checkState() == Qt.CheckState.Checked]


def set_checked(widget: QListWidget, codes: list[str]) -> None:
    for row in range(widget.count()):
        item = widget.item(row)
        on = item.data(Qt.ItemDataRole.UserRole) in codes
        item.setCheckState(Qt.CheckState.Checked if on else Qt.CheckState.Unchecked)


class RowTable(QWidget):
    """Rows typed into a table (guardians, duties); problems marked at their cells."""

    changed = Signal()

    def __init__(self, columns: list[tuple[str, str]], add_text: str,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.keys = [key for key, _header in columns]
        self.table = QTableWidget(0, len(columns))
        self.table.setHorizontalHeaderLabels([header for _key, header in columns])
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.setMinimumHeight(120)
        self.table.itemChanged.connect(lambda _item: self.changed.emit())
        self.message = QLabel()
        self.message.setStyleSheet(ERROR_STYLE)
        self.message.setWordWrap(True)
        buttons = QHBoxLayout()
        for text, handler in ((add_text, self.add_row), (self.tr("删除选中行"), self.remove_row)):
            button = QPushButton(text)
            button.clicked.connect(handler)
            buttons.addWidget(button)
        buttons.addStretch()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.table)
        layout.addLayout(buttons)
        layout.addWidget(self.message)

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


class OrderEditor(QDialog):
    """Edit one order. Every change is re-checked; a draft is kept every few seconds and on
    close; 保存 writes the whole order at once. Service and follow-ups are recorded through
    their own dialogs, opened without blocking."""

    saved = Signal(str)

    def __init__(self, store: Store, paths: Paths, profile: Profile, raw: dict[str, Any],
                 *, today: date | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.store = store
        self.paths = paths
        self.profile = profile
        self.raw_in = dict(raw)
        if not self.raw_in.get("id"):
            self.raw_in["id"] = uuid7()
        self.today = today or date.today()
        self.dirty = False
        self.saved_id: str | None = None
        self.open_dialog: QDialog | None = None
        self.status = "pending"
        self.outcome = ""
        self.history: list[dict[str, Any]] = []
        self.next_followup_date = ""
        self.autosave = QTimer(self)
        self.autosave.setInterval(1000 * settings_store.get(store, "autosave_seconds"))
        self.autosave.timeout.connect(self.save_draft)
        self.checker = QTimer(self)
        self.checker.setSingleShot(True)
        self.checker.setInterval(300)
        self.checker.timeout.connect(self.check)
        self._build()
        self._load(self.raw_in)
        self.dirty = bool(raw.get("_draft"))
        self.autosave.start()
        QShortcut(QKeySequence("Ctrl+S"), self, self.save)
        self.resize(960, 820)

    # -- building ---------------------------------------------------------------------------
    def _build(self) -> None:
        f = self.form = FieldForm()
        self.number = f.add("number", self.tr("文号"), line(placeholder="平检未督〔2025〕3号"))
        self.issuer = f.add("issuer", self.tr("签发机关"), line())
        self.issue_date = f.add("issue_date", self.tr("签发日期"), date_box(self.today))
        self.village = f.add("village_id", self.tr("所在村（社区）"), QComboBox())
        self.village.addItem(self.tr("（请选择）"), "")
        for village in villages.list_villages(self.store):
            self.village.addItem(village.name, village.id)
        self.household = f.add("household_id", self.tr("关联的户"), QComboBox())
        self.guardians = f.add("guardians", self.tr("监护人"), RowTable(
            [("name", self.tr("姓名")), ("relation", self.tr("关系")),
             ("id_number", self.tr("身份证号码")), ("address", self.tr("住址")),
             ("phone", self.tr("电话"))], self.tr("添加监护人")))
        self.minor_name = f.add("minor_name", self.tr("未成年人姓名"), line())
        self.minor_pseudonym = f.add("minor_pseudonym", self.tr("化名（打印用）"), line())
        self.minor_id_number = f.add("minor_id_number", self.tr("未成年人身份证号码"),
                                     line(placeholder=self.tr("可不填，不填时请填出生日期")))
        self.minor_birth_date = f.add("minor_birth_date", self.tr("出生日期"),
                                      line(placeholder="2012-05-01"))
        self.minor_gender = f.add("minor_gender", self.tr("性别"),
                                  category_combo(GENDERS, blank=self.tr("（不填）")))
        self.minor_info = QLabel()
        self.facts = f.add("facts", self.tr("查明的监护失职情形"), check_list(FACTS))
        self.facts_detail = f.add("facts_detail", self.tr("具体情况"), text_area())
        self.legal_basis = f.add("legal_basis", self.tr("法律依据"), check_list(LEGAL_BASIS))
        self.duties = f.add("duties", self.tr("要求履行的监护职责"), RowTable(
            [("content", self.tr("职责内容")), ("measure", self.tr("措施或频次")),
             ("deadline", self.tr("期限（如 2025-06-30）"))], self.tr("添加职责")))
        self.observation_start = f.add("observation_start", self.tr("考察期开始"),
                                       line(placeholder="2025-03-10"))
        self.observation_end = f.add("observation_end", self.tr("考察期结束"),
                                     line(placeholder="2025-09-09"))
        self.feedback_method = f.add("feedback_method", self.tr("反馈方式"), line())
        self.contact = f.add("contact", self.tr("联系人及电话"), line())
        self.consequences = f.add("consequences", self.tr("不履行的后果"), text_area(height=80))
        self.copies_to = f.add("copies_to", self.tr("抄送"), line())

        s = self.status_form = FieldForm()
        self.status_label = s.add("status", self.tr("状态"), QLabel())
        self.note = s.add("note", self.tr("经办说明"), line(placeholder=self.tr("可不填")))
        self.outcome_combo = s.add("outcome", self.tr("履行结果"),
                                   category_combo(OUTCOMES, blank=self.tr("（结束时选择）")))
        self.referral = s.add("referral", self.tr("移送/后续处理"),
                              line(placeholder=self.tr("未履行的必填，如 已移送公安机关")))
        self.step_buttons: dict[str, QPushButton] = {}
        steps = QHBoxLayout()
        for key, text, handler in (
                ("serve", self.tr("登记送达…"), self.record_service),
                ("observing", self.tr("开始考察期"), lambda: self.move_to("observing")),
                ("followup", self.tr("登记回访…"), self.record_followup),
                ("ended", self.tr("结束考察"), lambda: self.move_to("ended"))):
            button = QPushButton(text)
            button.setObjectName(f"step_{key}")
            button.clicked.connect(handler)
            self.step_buttons[key] = button
            steps.addWidget(button)
        steps.addStretch()
        self.timeline_model = TimelineModel(self)
        self.timeline_view = QTableView()
        self.timeline_view.setModel(self.timeline_model)
        self.timeline_view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.timeline_view.horizontalHeader().setStretchLastSection(True)
        self.timeline_view.setMinimumHeight(150)

        self.draft_label = QLabel()
        bottom = QHBoxLayout()
        bottom.addWidget(self.draft_label, 1)
        for text, handler in ((self.tr("放弃修改"), self.discard), (self.tr("关闭"), self.close),
                              (self.tr("保存 (Ctrl+S)"), self.save)):
            button = QPushButton(text)
            button.clicked.connect(handler)
            bottom.addWidget(button)
        body = QWidget()
        column = QVBoxLayout(body)
        column.addWidget(self.form)
        column.addWidget(self.minor_info)
        column.addWidget(QLabel(self.tr("<b>送达、考察和回访</b>")))
        column.addWidget(self.status_form)
        column.addLayout(steps)
        column.addWidget(QLabel(self.tr("<b>经过</b>")))
        column.addWidget(self.timeline_view)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(body)
        layout = QVBoxLayout(self)
        layout.addWidget(scroll, 1)
        layout.addLayout(bottom)

        for key in TEXT_FIELDS:
            getattr(self, key).textChanged.connect(self._changed)
        for key in AREA_FIELDS:
            getattr(self, key).textChanged.connect(self._changed)
        self.referral.textChanged.connect(self._changed)
        self.issue_date.dateChanged.connect(self._changed)
        for combo in (self.household, self.minor_gender):
            combo.currentIndexChanged.connect(self._changed)
        self.village.currentIndexChanged.connect(self._village_changed)
        for widget in (self.facts, self.legal_basis):
            widget.itemChanged.connect(self._changed)
        for table in (self.guardians, self.duties):
            table.changed.connect(self._changed)
        self.minor_name.textChanged.connect(self._show_minor)
        self.minor_id_number.textChanged.connect(self._show_minor)

    # -- state ------------------------------------------------------------------------------
    def _load(self, raw: dict[str, Any]) -> None:
        self.issue_date.setDate(QDate.fromString(
            str(raw.get("issue_date") or self.today.isoformat()), "yyyy-MM-dd"))
        for key in TEXT_FIELDS:
            getattr(self, key).setText(str(raw.get(key) or ""))
        for key in AREA_FIELDS:
            getattr(self, key).setPlainText(str(raw.get(key) or ""))
        self.issuer.setText(str(raw.get("issuer") or DEFAULT_ISSUER))
        set_combo_code(self.village, raw.get("village_id"))
        self._fill_households(str(raw.get("household_id") or ""))
        set_combo_code(self.minor_gender, raw.get("minor_gender"))
        set_checked(self.facts, list(raw.get("facts") or []))
        set_checked(self.legal_basis, list(raw.get("legal_basis") or []))
        self.guardians.set_rows(list(raw.get("guardians") or []))
        self.duties.set_rows(list(raw.get("duties") or []))
        self.status = str(raw.get("status") or "pending")
        self.outcome = str(raw.get("outcome") or "")
        set_combo_code(self.outcome_combo, self.outcome)
        self.referral.setText(str(raw.get("referral") or ""))
        self.history = [dict(h) for h in raw.get("history") or []]
        self.next_followup_date = str(raw.get("next_followup_date") or "")
        self._show_status()
        self._show_minor()
        self.setWindowTitle(self.tr("督促监护令 ") + draft_title(raw).removeprefix("监护令 "))

    def _fill_households(self, chosen: str = "") -> None:
        self.household.blockSignals(True)
        self.household.clear()
        self.household.addItem(self.tr("（不关联）"), "")
        village_id = combo_code(self.village)
        if village_id:
            for household_id, label in order_store.households_in(self.store, village_id):
                self.household.addItem(label, household_id)
        set_combo_code(self.household, chosen)
        self.household.blockSignals(False)

    def _village_changed(self) -> None:
        self._fill_households()
        self._changed()

    def raw(self) -> dict[str, Any]:
        """Everything typed, as core's parse_order expects it (also the draft's payload)."""
        result: dict[str, Any] = {"id": self.raw_in["id"],
                                  "issue_date": date_text(self.issue_date)}
        for key in TEXT_FIELDS:
            result[key] = getattr(self, key).text()
        for key in AREA_FIELDS:
            result[key] = getattr(self, key).toPlainText()
        result.update(
            village_id=combo_code(self.village), household_id=combo_code(self.household),
            minor_gender=combo_code(self.minor_gender), facts=checked_codes(self.facts),
            legal_basis=checked_codes(self.legal_basis), guardians=self.guardians.rows(),
            duties=self.duties.rows(), status=self.status, outcome=self.outcome,
            referral=self.referral.text() if self.status == "ended" else "",
            history=[dict(h) for h in self.history],
            next_followup_date=self.next_followup_date)
        return result

    def title(self) -> str:
        return draft_title(self.raw())

    def _changed(self) -> None:
        self.dirty = True
        self.checker.start()

    def _show_minor(self) -> None:
        """The pseudonym that will be printed, and what the ID number says."""
        self.minor_pseudonym.setPlaceholderText(
            self.tr("不填则用 ") + (pseudonym_of(self.minor_name.text()) or "小王"))
        text = self.minor_id_number.text().strip()
        self.minor_birth_date.setEnabled(not text)
        self.minor_gender.setEnabled(not text)
        try:
            holder = check_id_number(text, self.today) if text else None
        except ValidationError:
            holder = None
        if holder is None:
            self.minor_info.setText("")
            return
        issued = date.fromisoformat(date_text(self.issue_date))
        age = holder.age_on(issued) if issued >= holder.birth_date else 0
        self.minor_info.setText(self.tr("身份证号码显示：出生于 %1，%2，签发时 %3 周岁。")
                                .replace("%1", holder.birth_date.isoformat())
                                .replace("%2", GENDERS.label_of(holder.gender))
                                .replace("%3", str(age)))

    def check(self) -> dict[str, str]:
        """Check what is typed and show each problem at its field; returns the problems."""
        try:
            parse_order(self.raw(), today=self.today)
        except RecordInvalid as exc:
            problems = exc.problems
        else:
            problems = {}
        self.show_problems(problems)
        return problems

    def show_problems(self, problems: dict[str, str]) -> None:
        rest = self.form.show_problems(problems)
        self.status_form.show_problems(rest)
        self.guardians.show_problems(problems, "guardians.", self.tr("位监护人"))
        self.duties.show_problems(problems, "duties.", self.tr("项职责"))

    # -- the lifecycle ----------------------------------------------------------------------
    def _show_status(self) -> None:
        label = STATUSES.label_of(self.status)
        if self.status == "ended" and self.outcome:
            label += f"（{OUTCOMES.label_of(self.outcome)}）"
        if self.next_followup_date and self.status in ("served", "observing"):
            label += self.tr("，下次回访 ") + self.next_followup_date
        self.status_label.setText(label)
        shown = {"pending": ("serve",), "served": ("serve", "observing", "followup"),
                 "observing": ("followup", "ended"), "ended": ()}[self.status]
        for key, button in self.step_buttons.items():
            button.setVisible(key in shown)
        for key in ("outcome", "referral"):
            self.status_form.set_row_visible(key, self.status in ("observing", "ended"))
        self.outcome_combo.setEnabled(self.status == "observing")
        self._show_timeline()

    def _show_timeline(self) -> None:
        try:
            order = parse_order(self.raw(), today=self.today)
        except RecordInvalid:
            self.timeline_model.set_entries([])
            return
        saved = order_store.load_order(self.store, str(self.raw_in["id"])) is not None
        record_id = str(self.raw_in["id"])
        self.timeline_model.set_entries(timeline(
            order, order_store.services(self.store, record_id) if saved else [],
            order_store.followups(self.store, record_id) if saved else []))

    def move_to(self, target: str) -> bool:
        """Take a lifecycle step now, stamped with the time and the worker's name."""
        if target == "observing":
            raw = {**self.raw(), "status": "observing"}
            try:
                parse_order(raw, today=self.today)
            except RecordInvalid as exc:
                period = {k: v for k, v in exc.problems.items() if k.startswith("observation")}
                if period:
                    self.form.show_problems(period)
                    return False
        try:
            change = transition(self.status, target, self.profile.name, self.note.text(),
                                outcome=combo_code(self.outcome_combo),
                                referral=self.referral.text())
        except ValidationError as exc:
            self.status_form.show_problems({exc.field or "status": exc.message})
            return False
        self.history.append(vars(change))
        self.status = target
        if target == "ended":
            self.outcome = combo_code(self.outcome_combo)
        self.note.clear()
        self._changed()
        self._show_status()
        self.status_form.show_problems({})
        return True

    def saved_order(self) -> SupervisionOrder | None:
        """The order as stored, saving what is typed first; None (with the reason shown) when
        it cannot be saved yet."""
        if self.dirty or order_store.load_order(self.store, str(self.raw_in["id"])) is None:
            if not self.save():
                self.draft_label.setText(self.tr("请先改正红字提示的地方并保存，再登记送达或回访。"))
                return None
        return order_store.load_order(self.store, str(self.raw_in["id"]))

    def record_service(self) -> ServiceDialog | None:
        order = self.saved_order()
        if order is None:
            return None
        return self._open(ServiceDialog(self.store, order, self.profile.name, self))

    def record_followup(self) -> FollowUpDialog | None:
        order = self.saved_order()
        if order is None or order.id is None:
            return None
        served = order_store.served_on(self.store, order.id)
        return self._open(FollowUpDialog(self.store, order, served, self.profile.name,
                                         today=self.today, parent=self))

    def _open(self, dialog: Any) -> Any:
        """Open a sub-dialog window-modal without blocking; on 确定 the order is reloaded."""
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.accepted.connect(self.reload)
        self.open_dialog = dialog
        dialog.open()
        return dialog

    def reload(self) -> None:
        """Show the order as stored (after a service or follow-up changed it)."""
        order = order_store.load_order(self.store, str(self.raw_in["id"]))
        if order is not None:
            self._load(order_to_raw(order))
            self.dirty = False
            self.check()
            self.saved.emit(str(order.id))

    # -- saving -----------------------------------------------------------------------------
    def save(self) -> bool:
        """Check and save the whole order in one transaction; on any problem nothing is saved."""
        try:
            order = parse_order(self.raw(), today=self.today)
            with self.store.transaction() as tx:
                order_id = order_store.save_order(tx, order, self.profile.name)
                drafts.discard(self.store, draft_key(self.raw_in))
        except RecordInvalid as exc:
            self.check()
            self.show_problems(exc.problems)
            self.draft_label.setText(self.tr("还有需要修改的地方，见红字提示。"))
            return False
        except (ValidationError, StoreError) as exc:
            self.draft_label.setText(exc.message)
            return False
        self.dirty = False
        self.saved_id = order_id
        self._show_timeline()
        self.saved.emit(order_id)
        self.draft_label.setText(self.tr("已保存。"))
        return True

    def save_draft(self) -> bool:
        """Keep what is typed so far; returns whether a draft was written."""
        if not self.dirty:
            return False
        try:
            drafts.save(self.store, draft_key(self.raw_in), DRAFT_KIND, self.title(), self.raw())
        except StoreError as exc:
            self.draft_label.setText(exc.message)
            return False
        self.draft_label.setText(self.tr("草稿已自动保存 ") + datetime.now().strftime("%H:%M:%S"))
        return True

    def discard(self) -> None:
        """Throw away unsaved changes (and the draft) and close."""
        drafts.discard(self.store, draft_key(self.raw_in))
        self.dirty = False
        self.close()

    def closeEvent(self, event: QCloseEvent) -> None:
        self.save_draft()
        self.autosave.stop()
        super().closeEvent(event)


class _RecordDialog(QDialog):
    """A dialog that checks and saves one record of an order on 确定; stays open on problems."""

    def __init__(self, title: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.form = FieldForm()
        self.message = QLabel()
        self.message.setStyleSheet(ERROR_STYLE)
        self.message.setWordWrap(True)
        self.saved_id: str | None = None
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText(self.tr("确定"))
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(self.tr("取消"))
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(self.form)
        layout = QVBoxLayout(self)
        layout.addWidget(scroll, 1)
        layout.addWidget(self.message)
        layout.addWidget(self.buttons)

    def write(self) -> str:
        raise NotImplementedError

    def accept(self) -> None:
        try:
            self.saved_id = self.write()
        except RecordInvalid as exc:
            rest = self.form.show_problems(exc.problems)
            self.message.setText("\n".join(rest.values()))
            return
        except StoreError as exc:
            self.message.setText(exc.message)
            return
        super().accept()


class ServiceDialog(_RecordDialog):
    """送达回证: filled in after the order is handed over; 确定 saves it."""

    def __init__(self, store: Store, order: SupervisionOrder, worker: str,
                 parent: QWidget | None = None) -> None:
        super().__init__(self.tr("登记送达回证"), parent)
        self.store, self.order, self.worker = store, order, worker
        first = order.guardians[0] if order.guardians else None
        f = self.form
        self.document = f.add("document", self.tr("送达文书"), line("督促监护令"))
        self.document_number = f.add("document_number", self.tr("文书编号"), line(order.number))
        self.recipient = f.add("recipient", self.tr("受送达人"), line(first.name if first else ""))
        self.recipient_relation = f.add("recipient_relation", self.tr("与未成年人关系"),
                                        line(first.relation if first else ""))
        self.address = f.add("address", self.tr("送达地址"), line(first.address if first else ""))
        self.method = f.add("method", self.tr("送达方式"), category_combo(SERVICE_METHODS))
        self.served_at = f.add("served_at", self.tr("送达时间"),
                               line(datetime.now().strftime("%Y-%m-%d %H:%M")))
        self.place = f.add("place", self.tr("送达地点"), line())
        self.recipient_signed = f.add("recipient_signed", self.tr("签名或捺印"),
                                      QCheckBox(self.tr("受送达人已签名或捺印")))
        self.substitute_name = f.add("substitute_name", self.tr("代收人"), line())
        self.substitute_reason = f.add("substitute_reason", self.tr("代收原因"), line())
        self.refusal_reason = f.add("refusal_reason", self.tr("拒收理由"), line())
        self.witnesses = f.add("witnesses", self.tr("见证人"),
                               line(placeholder=self.tr("多人用顿号分开")))
        self.servers = f.add("servers", self.tr("送达人"),
                             line(worker, self.tr("检察官和干部，多人用顿号分开")))
        self.status = f.add("status", self.tr("监护令状态"), QLabel(order.status_label))
        self.resize(560, 640)

    def raw(self) -> dict[str, Any]:
        keys = ("document", "document_number", "recipient", "recipient_relation", "address",
                "served_at", "place", "substitute_name", "substitute_reason", "refusal_reason",
                "witnesses", "servers")
        result: dict[str, Any] = {key: getattr(self, key).text() for key in keys}
        result["method"] = combo_code(self.method)
        result["recipient_signed"] = self.recipient_signed.isChecked()
        return result

    def write(self) -> str:
        service = parse_service(self.raw(), order=self.order)
        with self.store.transaction() as tx:
            return order_store.save_service(tx, str(self.order.id), service, self.worker)


class FollowUpDialog(_RecordDialog):
    """回访: the minor's state and, for every duty, how far it was carried out."""

    def __init__(self, store: Store, order: SupervisionOrder, served_on: date | None,
                 worker: str, *, today: date | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(self.tr("登记回访"), parent)
        self.store, self.order, self.served_on, self.worker = store, order, served_on, worker
        self.today = today or date.today()
        f = self.form
        self.followup_date = f.add("followup_date", self.tr("回访日期"),
                                   line(self.today.isoformat()))
        self.method = f.add("method", self.tr("回访方式"), category_combo(FOLLOWUP_METHODS))
        self.visitors = f.add("visitors", self.tr("回访人员"),
                              line(worker, self.tr("多人用顿号分开")))
        self.person_met = f.add("person_met", self.tr("见到的人"), line())
        self.schooling = f.add("schooling", self.tr("就学情况"), line())
        self.behaviour = f.add("behaviour", self.tr("行为表现"), line())
        self.health = f.add("health", self.tr("身体状况"), line())
        self.levels: list[QComboBox] = []
        self.evidence: list[Any] = []
        for number, duty in enumerate(order.duties):
            caption = self.tr("第 %1 项：").replace("%1", str(number + 1)) + duty.content[:24]
            self.levels.append(f.add(f"compliance.{number}.level", caption,
                                     category_combo(COMPLIANCE, blank=self.tr("（请选择）"))))
            self.evidence.append(f.add(f"compliance.{number}.evidence", self.tr("　依据"),
                                       line(placeholder=self.tr("看到了什么、谁说的"))))
        self.guidance_attended = f.add("guidance_attended", self.tr("家庭教育指导"),
                                       QCheckBox(self.tr("监护人参加了家庭教育指导")))
        self.problems = f.add("problems", self.tr("存在问题"), text_area())
        self.next_steps = f.add("next_steps", self.tr("下一步措施"), text_area())
        self.next_date = f.add("next_date", self.tr("下次回访日期"), line(placeholder="2025-04-10"))
        self.resize(600, 720)

    def raw(self) -> dict[str, Any]:
        keys = ("followup_date", "visitors", "person_met", "schooling", "behaviour", "health",
                "next_date")
        result: dict[str, Any] = {key: getattr(self, key).text() for key in keys}
        result.update(
            method=combo_code(self.method), guidance_attended=self.guidance_attended.isChecked(),
            problems=self.problems.toPlainText(), next_steps=self.next_steps.toPlainText(),
            compliance=[{"level": combo_code(level), "evidence": evidence.text()}
                        for level, evidence in zip(self.levels, self.evidence, strict=True)])
        return result

    def write(self) -> str:
        followup = parse_followup(self.raw(), order=self.order, served_on=self.served_on,
                                  today=self.today)
        with self.store.transaction() as tx:
            return order_store.save_followup(tx, str(self.order.id), followup, self.worker)
