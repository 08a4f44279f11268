"""The 督促监护令 editor: checked as typed, autosaved, with its lifecycle steps and timeline."""

from __future__ import annotations

from datetime import date
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from meixian_desktop.core.categories import CategorySet
from meixian_desktop.core.errors import RecordInvalid, ValidationError
from meixian_desktop.core.ids import uuid7
from meixian_desktop.core.order_followups import timeline
from meixian_desktop.core.orders import (
    DEFAULT_CONSEQUENCES,
    DEFAULT_ISSUER,
    FACTS,
    GENDERS,
    LEGAL_BASIS,
    OUTCOMES,
    STATUSES,
    SupervisionOrder,
    order_to_raw,
    parse_order,
    pseudonym_of,
    transition,
)
from meixian_desktop.core.profile import Profile
from meixian_desktop.core.validation import check_id_number
from meixian_desktop.paths import Paths
from meixian_desktop.store import orders as order_store
from meixian_desktop.store import villages
from meixian_desktop.store.database import Store, Transaction
from meixian_desktop.ui.editors.drafting import DraftingEditor
from meixian_desktop.ui.editors.order_dialogs import FollowUpDialog, ServiceDialog
from meixian_desktop.ui.models.records import TimelineModel
from meixian_desktop.ui.widgets.fields import (
    FieldForm,
    categories_of,
    category_combo,
    check_list,
    combo_code,
    date_box,
    date_text,
    line,
    set_combo_code,
    table_view,
    text_area,
)
from meixian_desktop.ui.widgets.row_table import RowTable

DRAFT_KIND = "order"
PICKED_BY_VILLAGE = ("village_id", "household_id")  # the households offered follow the village


def new_order_raw(profile: Profile, store: Store, today: date) -> dict[str, Any]:
    """A blank order in the worker's first village, with the usual issuer and wording."""
    own = villages.own_village_ids(store, profile.villages)
    return {"id": uuid7(), "issuer": DEFAULT_ISSUER, "issue_date": today.isoformat(),
            "village_id": own[0] if own else "", "guardians": [], "duties": [],
            "consequences": DEFAULT_CONSEQUENCES, "status": "pending", "history": []}


def draft_title(raw: dict[str, Any]) -> str:
    """What the draft banner shows: the number and the pseudonym, never the real name."""
    pseudonym = str(raw.get("minor_pseudonym") or "").strip() or pseudonym_of(
        str(raw.get("minor_name") or ""))
    return f"监护令 {str(raw.get('number') or '').strip() or '（未填文号）'} {pseudonym}".strip()


def category_checks(items: CategorySet) -> QListWidget:
    """Check boxes for the current categories of a multi-select set, every row in sight."""
    return check_list(categories_of(items.active()), 22 * len(items) + 8, chosen_first=False)


class OrderEditor(DraftingEditor):
    """Edit one order. Every change is re-checked; a draft is kept every few seconds and on
    close; 保存 writes the whole order at once. Service and follow-ups are recorded through
    their own dialogs, opened without blocking."""

    draft_kind = DRAFT_KIND

    def __init__(self, store: Store, paths: Paths, profile: Profile, raw: dict[str, Any],
                 *, today: date | None = None, parent: QWidget | None = None) -> None:
        super().__init__(store, raw, today=today, parent=parent)
        self.paths = paths
        self.profile = profile
        self.open_dialog: QDialog | None = None
        self.status = "pending"
        self.outcome = ""
        self.history: list[dict[str, Any]] = []
        self.next_followup_date = ""
        self._build()
        self._load(self.raw_in)
        self.start()
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
        self.facts = f.add("facts", self.tr("查明的监护失职情形"), category_checks(FACTS))
        self.facts_detail = f.add("facts_detail", self.tr("具体情况"), text_area())
        self.legal_basis = f.add("legal_basis", self.tr("法律依据"), category_checks(LEGAL_BASIS))
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
        self.timeline_view = table_view(self.timeline_model)  # read-only, whole rows
        self.timeline_view.setMinimumHeight(150)

        body = QWidget()
        column = QVBoxLayout(body)
        column.addWidget(self.form)
        column.addWidget(self.minor_info)
        column.addWidget(QLabel(self.tr("<b>送达、考察和回访</b>")))
        column.addWidget(self.status_form)
        column.addLayout(steps)
        column.addWidget(QLabel(self.tr("<b>经过</b>")))
        column.addWidget(self.timeline_view)
        self.lay_out(body, save_is_default=False)  # Enter types into tables here

        for signal in (*f.changes(skip=PICKED_BY_VILLAGE), self.household.currentIndexChanged,
                       self.referral.textChanged):
            signal.connect(self.changed)
        self.village.currentIndexChanged.connect(self._village_changed)
        self.minor_name.textChanged.connect(self._show_minor)
        self.minor_id_number.textChanged.connect(self._show_minor)

    # -- state ------------------------------------------------------------------------------
    def _load(self, raw: dict[str, Any]) -> None:
        self.form.set_values({"issue_date": self.today.isoformat(), **raw,
                              "issuer": raw.get("issuer") or DEFAULT_ISSUER},
                             skip=PICKED_BY_VILLAGE)
        set_combo_code(self.village, raw.get("village_id"))
        self._fill_households(str(raw.get("household_id") or ""))
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
        self.changed()

    def raw(self) -> dict[str, Any]:
        """Everything typed, as core's parse_order expects it (also the draft's payload)."""
        return {"id": self.raw_in["id"], **self.form.values(), "status": self.status,
                "outcome": self.outcome,
                "referral": self.referral.text() if self.status == "ended" else "",
                "history": [dict(h) for h in self.history],
                "next_followup_date": self.next_followup_date}

    def title(self) -> str:
        return draft_title(self.raw())

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
        self.changed()
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
    def printable_forms(self) -> list[tuple[str, str]]:
        return [("supervision_order", "督促监护令"), ("service_receipt", "送达回证"),
                ("order_followup", "督促监护令回访记录（最近一次）")]

    def parse(self) -> SupervisionOrder:
        return parse_order(self.raw(), today=self.today)

    def write(self, tx: Transaction, record: Any) -> str:
        return order_store.save_order(tx, record, self.profile.name)

    def show_save_problems(self, problems: dict[str, str]) -> None:
        self.check()  # what is typed, re-checked, then what the store found on top
        self.show_problems(problems)

    def refused(self, message: str) -> None:
        """A storage problem is shown on the draft line, not in a box."""
        self.draft_label.setText(message)

    def after_save(self, record_id: str) -> None:
        self._show_timeline()
