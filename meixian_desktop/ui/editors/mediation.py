"""The 纠纷案件 editor: 登记, 当事人, 调查, 调解, 协议/结果, 回访 and 时间线 tabs, checked as
typed, autosaved as a draft, its lifecycle steps stamped with the time and the worker."""

from __future__ import annotations

from datetime import date
from typing import Any

from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from meixian_desktop.core.errors import RecordInvalid
from meixian_desktop.core.ids import uuid7
from meixian_desktop.core.mediation import (
    CATEGORIES,
    RISK_TAGS,
    ROUTES,
    SOURCES,
    STATUSES,
    TRANSITIONS,
    MediationCase,
    deadline_message,
    parse_case,
    take_step,
)
from meixian_desktop.core.mediation_forms import timeline
from meixian_desktop.core.profile import Profile
from meixian_desktop.paths import Paths
from meixian_desktop.store import mediation as case_store
from meixian_desktop.store import villages
from meixian_desktop.store.database import Store, Transaction
from meixian_desktop.ui.editors.drafting import DraftingEditor
from meixian_desktop.ui.editors.household import ChildTable
from meixian_desktop.ui.editors.mediation_dialogs import (
    InvestigationDialog,
    MediatorDialog,
    MeetingDialog,
    PartyDialog,
    ReturnVisitDialog,
)
from meixian_desktop.ui.models.mediation import (
    InvestigationListModel,
    MediatorListModel,
    MeetingListModel,
    PartyListModel,
    VisitListModel,
)
from meixian_desktop.ui.models.records import TimelineModel
from meixian_desktop.ui.widgets.fields import (
    ERROR_STYLE,
    FieldForm,
    categories_of,
    category_combo,
    check_list,
    combo_code,
    date_box,
    line,
    table_view,
    text_area,
)

DRAFT_KIND = "case"
AGREEMENT_FIELDS = ("signed_on", "performance_method", "performance_place",
                    "performance_deadline", "copies")
OUTCOMES = (("", "（尚无结果）"), ("agreement", "达成协议"), ("failure", "调解不成"))


def new_case_raw(profile: Profile, store: Store, today: date) -> dict[str, Any]:
    """A blank case in the worker's first village, found by the grid worker."""
    own = villages.own_village_ids(store, profile.villages)
    return {"id": uuid7(), "registered_on": today.isoformat(), "source": "grid",
            "village_id": own[0] if own else "", "parties": [], "status": "registered",
            "history": []}


def draft_title(raw: dict[str, Any]) -> str:
    names = "、".join(str(p.get("name") or "") for p in raw.get("parties") or [] if p.get("name"))
    return f"纠纷 {str(raw.get('number') or '').strip() or '（新登记）'} {names}".strip()


class CaseEditor(DraftingEditor):
    """Edit one case; child rows are edited in dialogs opened with ``open()``."""

    draft_kind = DRAFT_KIND

    def __init__(self, store: Store, profile: Profile, raw: dict[str, Any], *,
                 today: date | None = None, paths: Paths | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(store, raw, today=today, parent=parent)
        self.profile = profile
        self.paths = paths  # for printing: the prints folder and the town's own templates
        self.status = "registered"
        self.history: list[dict[str, Any]] = []
        self._build()
        self._load(self.raw_in)
        self.start()
        self.resize(960, 760)

    # -- building ---------------------------------------------------------------------------
    def _table(self, model: Any, dialog: Any, noun: str) -> ChildTable:
        return ChildTable(model, lambda raw: dialog(raw, self.today, self), noun, self.changed)

    def _build(self) -> None:
        f = self.form = FieldForm()
        self.number = f.add("number", self.tr("案号"), QLabel())
        self.registered_on = f.add("registered_on", self.tr("登记日期"), date_box(self.today))
        self.source = f.add("source", self.tr("纠纷来源"), category_combo(SOURCES.active()))
        self.category = f.add("category", self.tr("纠纷类别"),
                              category_combo(CATEGORIES.active(), blank=self.tr("（请选择）")))
        self.village = f.add("village_id", self.tr("村（社区）"), QComboBox())
        self.village.addItem(self.tr("（请选择）"), "")
        for village in villages.list_villages(self.store):
            self.village.addItem(village.name, village.id)
        self.risk_tags = f.add("risk_tags", self.tr("风险标签"),
                               check_list(categories_of(RISK_TAGS.active()), 100,
                                          chosen_first=False))
        self.summary = f.add("summary", self.tr("纠纷事实摘要"), text_area(height=90))
        self.accepted_on = f.add("accepted_on", self.tr("受理日期"),
                                 line(placeholder=self.tr("受理时自动填写")))
        self.deadline = QLabel()
        self.deadline.setStyleSheet(ERROR_STYLE)
        f.layout_.addRow("", self.deadline)

        self.parties = self._table(PartyListModel(), PartyDialog, "当事人")
        self.parties_error = QLabel()
        self.parties_error.setStyleSheet(ERROR_STYLE)
        self.investigations = self._table(InvestigationListModel(), InvestigationDialog, "调查")
        self.mediators = self._table(MediatorListModel(), MediatorDialog, "调解人员")
        self.meetings = self._table(MeetingListModel(), MeetingDialog, "调解记录")
        self.visits = ChildTable(VisitListModel(), self._visit_dialog, "回访", self.changed)
        self.visits_error = QLabel()
        self.visits_error.setStyleSheet(ERROR_STYLE)

        o = self.outcome_form = FieldForm()
        self.outcome = o.add("outcome", self.tr("调解结果"), QComboBox())
        for code, label in OUTCOMES:
            self.outcome.addItem(self.tr(label), code)
        self.terms = o.add("agreement.terms", self.tr("协议条款（每行一条）"), text_area(height=110))
        self.agreement: dict[str, Any] = {}
        for key, label, hint in (("signed_on", "签订日期", "2025-06-10"),
                                 ("performance_method", "履行方式", "如 现金一次付清"),
                                 ("performance_place", "履行地点", ""),
                                 ("performance_deadline", "履行期限", "2025-06-30"),
                                 ("copies", "协议份数", "3")):
            self.agreement[key] = o.add(f"agreement.{key}", self.tr(label), line(placeholder=hint))
        self.reason = o.add("failure.reason", self.tr("调解不成的原因"), text_area())
        self.route = o.add("failure.route", self.tr("告知的途径"),
                           category_combo(ROUTES.active(), blank=self.tr("（请选择）")))

        s = self.status_form = FieldForm()
        self.status_label = s.add("status", self.tr("状态"), QLabel())
        self.note = s.add("note", self.tr("经办说明"), line(placeholder=self.tr("可不填")))
        self.step_buttons: dict[str, QPushButton] = {}
        steps = QHBoxLayout()
        for target in ("accepted", "mediating", "agreed", "failed", "performing", "visited",
                       "closed"):
            verb = next(v for t in TRANSITIONS.values() for k, v in t.items() if k == target)
            button = QPushButton(self.tr(verb))
            button.setObjectName(f"step_{target}")
            button.clicked.connect(lambda _=False, t=target: self.move_to(t))
            self.step_buttons[target] = button
            steps.addWidget(button)
        steps.addStretch()
        self.timeline_model = TimelineModel(self)
        self.timeline_view = table_view(self.timeline_model)  # read-only, whole rows

        self.tabs = QTabWidget()
        for title, widgets in (
                ("登记", (self.form,)), ("当事人", (self.parties, self.parties_error)),
                ("调查", (self.investigations,)),
                ("调解", (QLabel(self.tr("调解人员（含“群英断是非”评理员）")), self.mediators,
                          QLabel(self.tr("调解记录")), self.meetings)),
                ("协议/结果", (self.outcome_form,)), ("回访", (self.visits, self.visits_error)),
                ("时间线", (self.timeline_view,))):
            page = QWidget()
            column = QVBoxLayout(page)
            for widget in widgets:
                column.addWidget(widget)
            self.tabs.addTab(page, self.tr(title))
        layout = QVBoxLayout(self)
        layout.addWidget(self.status_form)
        layout.addLayout(steps)
        layout.addWidget(self.tabs, 1)
        layout.addLayout(self.button_row())

        for signal in (*f.changes(skip=("number",)), *o.changes(skip=("outcome",))):
            signal.connect(self.changed)
        self.outcome.currentIndexChanged.connect(self._outcome_changed)

    def _visit_dialog(self, raw: dict[str, Any]) -> ReturnVisitDialog:
        agreement = None
        try:
            agreement = parse_case({**self.raw(), "return_visits": []},
                                   today=self.today).agreement
        except RecordInvalid:
            pass
        return ReturnVisitDialog(raw, self.today, agreement, self)

    # -- state ------------------------------------------------------------------------------
    def _load(self, raw: dict[str, Any]) -> None:
        self.number.setText(str(raw.get("number") or self.tr("（保存时自动编号）")))
        self.form.set_values({"registered_on": self.today.isoformat(), **raw}, skip=("number",))
        self.outcome_form.set_values(raw)
        for table, key in ((self.parties, "parties"), (self.investigations, "investigations"),
                           (self.mediators, "mediators"), (self.meetings, "meetings"),
                           (self.visits, "return_visits")):
            table.model.set_rows(list(raw.get(key) or []))
        self.status = str(raw.get("status") or "registered")
        self.history = [dict(h) for h in raw.get("history") or []]
        self._outcome_changed(mark=False)
        self._show_status()
        self.setWindowTitle(self.tr("纠纷案件 ") + draft_title(raw).removeprefix("纠纷 "))

    def _outcome_changed(self, *_args: Any, mark: bool = True) -> None:
        chosen = combo_code(self.outcome)
        for key in ("agreement.terms", *(f"agreement.{k}" for k in AGREEMENT_FIELDS)):
            self.outcome_form.set_row_visible(key, chosen == "agreement")
        for key in ("failure.reason", "failure.route"):
            self.outcome_form.set_row_visible(key, chosen == "failure")
        if mark:
            self.changed()

    def raw(self) -> dict[str, Any]:
        """Everything typed, as core's parse_case expects it (also the draft's payload)."""
        outcome = self.outcome_form.values()
        return {
            "id": self.raw_in["id"], "number": self.raw_in.get("number", ""),
            "number_provisional": self.raw_in.get("number_provisional", False),
            **self.form.values(skip=("number",)), "parties": self.parties.model.rows,
            "mediators": self.mediators.model.rows,
            "investigations": self.investigations.model.rows,
            "meetings": self.meetings.model.rows, "outcome": outcome["outcome"],
            "agreement": outcome["agreement"] if outcome["outcome"] == "agreement" else {},
            "failure": outcome["failure"] if outcome["outcome"] == "failure" else {},
            "return_visits": self.visits.model.rows, "status": self.status,
            "history": [dict(h) for h in self.history],
        }

    def title(self) -> str:
        return draft_title(self.raw())

    def show_problems(self, problems: dict[str, str]) -> None:
        rest = self.form.show_problems(problems)
        rest = self.outcome_form.show_problems(rest)
        self.status_form.show_problems(rest)
        self.parties.show_problems(problems, "parties.", self.tr("位当事人"))
        self.parties_error.setText(problems.get("parties", ""))
        self.investigations.show_problems(problems, "investigations.", self.tr("条调查"))
        self.mediators.show_problems(problems, "mediators.", self.tr("位调解人员"))
        self.meetings.show_problems(problems, "meetings.", self.tr("次调解"))
        self.visits.show_problems(problems, "return_visits.", self.tr("次回访"))
        self.visits_error.setText(problems.get("return_visits", ""))

    # -- the lifecycle ----------------------------------------------------------------------
    def _show_status(self) -> None:
        self.status_label.setText(STATUSES.label_of(self.status))
        for target, button in self.step_buttons.items():
            button.setVisible(target in TRANSITIONS.get(self.status, {}))
        try:
            case = parse_case(self.raw(), today=self.today)
        except RecordInvalid:
            self.deadline.setText("")
            self.timeline_model.set_entries([])
            return
        self.deadline.setText(deadline_message(case, self.today))
        self.timeline_model.set_entries(timeline(case))

    def check(self) -> dict[str, str]:
        found = super().check()
        self._show_status()
        return found

    def move_to(self, target: str) -> bool:
        """Take a lifecycle step now, stamped with the time and the worker's name; refused
        with the reason at the field when the case does not hold what the step needs."""
        raw = self.raw()
        if target == "accepted" and not raw["accepted_on"].strip():
            raw["accepted_on"] = self.today.isoformat()
        try:
            change = take_step(parse_case(raw, today=self.today), target, self.profile.name,
                               self.note.text())
        except RecordInvalid as exc:
            self.show_problems(exc.problems)
            self.draft_label.setText(self.tr("还不能这样改状态，见红字提示。"))
            return False
        self.accepted_on.setText(raw["accepted_on"])
        self.history.append(vars(change))
        self.status = target
        self.note.clear()
        self.changed()
        self.show_problems({})
        self._show_status()
        return True

    # -- saving -----------------------------------------------------------------------------
    def printable_forms(self) -> list[tuple[str, str]]:
        return [("mediation_application", "人民调解申请书"),
                ("mediation_register", "人民调解受理登记表"),
                ("mediation_investigation", "人民调解调查记录（最近一次）"),
                ("mediation_meeting", "人民调解记录（最近一次）"),
                ("mediation_agreement", "人民调解协议书"),
                ("mediation_return_visit", "人民调解回访记录（最近一次）"),
                ("mediation_closing", "人民调解结案报告表")]

    def parse(self) -> MediationCase:
        return parse_case(self.raw(), today=self.today)

    def write(self, tx: Transaction, record: Any) -> str:
        return case_store.save_case(tx, record, self.profile.name)

    def save(self) -> bool:
        if not super().save():
            return False
        stored = case_store.load_case(self.store, str(self.saved_id))
        if stored is not None:
            self.raw_in["number"] = stored.number
            self.raw_in["number_provisional"] = stored.number_provisional
            self.number.setText(stored.number)
            self.setWindowTitle(self.tr("纠纷案件 ") + self.title().removeprefix("纠纷 "))
        return True
