"""The household editor: basic facts, members, monitoring and measures, visits, timeline."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QLabel,
    QListWidget,
    QPushButton,
    QScrollArea,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from meixian_desktop.core import clock
from meixian_desktop.core.errors import Problems, RecordInvalid
from meixian_desktop.core.households import (
    ASSISTANCE,
    EDUCATION,
    HEALTH,
    MEASURE_TYPES,
    MONITORING_TYPES,
    RELATIONS,
    RISK_TYPES,
    SCHOOL_STATUS,
    TAGS,
    WORK_STATUS,
    check_member_id,
    household_to_raw,
    parse_household,
    parse_measure,
    parse_member,
)
from meixian_desktop.core.profile import Profile
from meixian_desktop.paths import Paths
from meixian_desktop.store import households as household_store
from meixian_desktop.store import villages
from meixian_desktop.store.database import Store, Transaction
from meixian_desktop.ui.editors.drafting import DraftingEditor
from meixian_desktop.ui.models.households import MeasureListModel, MemberListModel, VisitTableModel
from meixian_desktop.ui.widgets.child_table import ChildDialog, ChildTable, table
from meixian_desktop.ui.widgets.fields import (
    ERROR_STYLE,
    FieldForm,
    categories_of,
    category_combo,
    check_list,
    checked_codes,
    combo_code,
    line,
    set_checked,
    set_combo_code,
    text_area,
)

DRAFT_KIND = "household"
WARNING_STYLE = "color: #a65b00;"


def new_household_raw(profile: Profile, store: Store) -> dict[str, Any]:
    own = villages.own_village_ids(store, profile.villages)
    return {"village_id": own[0] if own else "", "cadre": "" if profile.is_town
            else profile.name, "members": [], "measures": [], "tags": [], "risk_types": []}


class MemberDialog(ChildDialog):
    """One member; a valid ID number fills in gender and birth date."""

    def __init__(self, raw: dict[str, Any], parent: QWidget | None = None) -> None:
        super().__init__("家庭成员", raw, parent)
        f = self.form
        self.name = f.add("name", self.tr("姓名"), line(raw.get("name", "")))
        self.id_number = f.add("id_number", self.tr("身份证号码"), line(raw.get("id_number", "")))
        self.id_hint = QLabel()
        f.layout_.addRow("", self.id_hint)
        self.gender = f.add("gender", self.tr("性别"), QComboBox())
        for code, label in (("", "（看身份证）"), ("male", "男"), ("female", "女")):
            self.gender.addItem(label, code)
        set_combo_code(self.gender, raw.get("gender"))
        self.birth_date = f.add("birth_date", self.tr("出生日期"),
                                line(raw.get("birth_date", ""), self.tr("没有身份证号时填写")))
        self.combos = {}
        for key, label, choices in (("relation", "与户主关系", RELATIONS),
                                    ("education", "文化程度", EDUCATION),
                                    ("school_status", "在校情况", SCHOOL_STATUS),
                                    ("health", "健康状况", HEALTH),
                                    ("work_status", "务工情况", WORK_STATUS),
                                    ("assistance_status", "低保/特困", ASSISTANCE)):
            combo = f.add(key, self.tr(label), category_combo(choices, blank="（不填）"))
            set_combo_code(combo, raw.get(key))
            self.combos[key] = combo
        self.ethnicity = f.add("ethnicity", self.tr("民族"), line(raw.get("ethnicity") or "汉族"))
        self.disability_category = f.add("disability_category", self.tr("残疾类别"),
                                         line(raw.get("disability_category", "")))
        self.disability_grade = f.add("disability_grade", self.tr("残疾等级"),
                                      line(raw.get("disability_grade", "")))
        self.insurance = f.add("insurance", self.tr("参保情况"), line(raw.get("insurance", ""),
                                                                        "如 城乡居民医保"))
        self.phone = f.add("phone", self.tr("电话"), line(raw.get("phone", "")))
        self.tags = f.add("tags", self.tr("重点人群"), check_list(categories_of(TAGS)))
        set_checked(self.tags, raw.get("tags") or (), chosen_first=True)
        self.id_number.textChanged.connect(self.show_id_hint)
        self.show_id_hint()
        self.finish_layout()
        self.resize(520, 640)

    def show_id_hint(self) -> None:
        """As the ID number is typed: what it says (gender, birth date), or what is wrong."""
        text = self.id_number.text().strip()
        if len(text) < 18:
            self.id_hint.setText("")
            return
        try:
            gender, born = check_member_id(text, clock.today())
        except Exception as exc:  # a ValidationError's sentence
            self.id_hint.setStyleSheet(ERROR_STYLE)
            self.id_hint.setText(getattr(exc, "message", str(exc)))
            return
        self.id_hint.setStyleSheet("")
        self.id_hint.setText(f"{gender}，{born} 出生")

    def raw(self) -> dict[str, Any]:
        result = {"id": self.original.get("id"), "name": self.name.text(),
                  "id_number": self.id_number.text(), "gender": combo_code(self.gender),
                  "birth_date": self.birth_date.text(), "ethnicity": self.ethnicity.text(),
                  "disability_category": self.disability_category.text(),
                  "disability_grade": self.disability_grade.text(),
                  "insurance": self.insurance.text(), "phone": self.phone.text(),
                  "tags": checked_codes(self.tags)}
        result.update({key: combo_code(combo) for key, combo in self.combos.items()})
        return result

    def problems(self) -> dict[str, str]:
        problems = Problems()
        parse_member(self.raw(), today=clock.today(), problems=problems)
        return problems.found


class MeasureDialog(ChildDialog):
    """One assistance measure and its period."""

    def __init__(self, raw: dict[str, Any], parent: QWidget | None = None) -> None:
        super().__init__("帮扶措施", raw, parent)
        f = self.form
        self.measure_type = f.add("measure_type", self.tr("措施类型"),
                                  category_combo(MEASURE_TYPES, blank="（请选择）"))
        set_combo_code(self.measure_type, raw.get("measure_type"))
        self.content = f.add("content", self.tr("内容"), line(raw.get("content", "")))
        self.start_date = f.add("start_date", self.tr("开始日期"),
                                line(raw.get("start_date", ""), "如 2025-03-05"))
        self.end_date = f.add("end_date", self.tr("结束日期"), line(raw.get("end_date", "")))
        self.unit = f.add("unit", self.tr("责任单位"), line(raw.get("unit", "")))
        self.finish_layout()

    def raw(self) -> dict[str, Any]:
        return {"id": self.original.get("id"), "measure_type": combo_code(self.measure_type),
                "content": self.content.text(), "start_date": self.start_date.text(),
                "end_date": self.end_date.text(), "unit": self.unit.text()}

    def problems(self) -> dict[str, str]:
        problems = Problems()
        parse_measure(self.raw(), today=clock.today(), problems=problems, prefix="")
        return problems.found


class HouseholdEditor(DraftingEditor):
    """Edit one household: tabs for 基本信息, 家庭成员, 监测与帮扶, 走访记录, 时间线."""

    draft_kind = DRAFT_KIND

    def __init__(self, store: Store, paths: Paths, profile: Profile, raw: dict[str, Any],
                 *, today: date | None = None, parent: QWidget | None = None) -> None:
        super().__init__(store, raw, today=today, parent=parent)
        self.paths = paths
        self.profile = profile
        self.warnings: list[household_store.SameIdElsewhere] = []
        self.new_visit_requested: Callable[[str], object] | None = None
        self._build()
        self._load(self.raw_in)
        self.setWindowTitle(self.title())
        self.start()
        self.resize(900, 720)

    # -- building ---------------------------------------------------------------------------
    def _build(self) -> None:
        f = self.form = FieldForm()
        self.number = f.add("number", self.tr("户编号"), line())
        self.village = f.add("village_id", self.tr("村（社区）"), QComboBox())
        for village in villages.list_villages(self.store):
            self.village.addItem(village.name, village.id)
        self.group = f.add("group_id", self.tr("村民小组"), QComboBox())
        self.address = f.add("address", self.tr("住址"), line())
        self.head_name = f.add("head_name", self.tr("户主姓名"), line())
        self.phone = f.add("phone", self.tr("联系电话"), line())
        self.cadre = f.add("cadre", self.tr("帮扶责任人"), line())
        self.tags = f.add("tags", self.tr("重点人群（户）"), check_list(categories_of(TAGS), 120))
        self.notes = f.add("notes", self.tr("备注"), text_area())
        self.warning = QLabel()
        self.warning.setStyleSheet(WARNING_STYLE)
        self.warning.setWordWrap(True)

        self.members = ChildTable(MemberListModel(), lambda raw: MemberDialog(raw, self),
                                  "成员", self.changed)
        m = self.monitoring = FieldForm()
        self.monitoring_type = m.add("monitoring_type", self.tr("监测对象类型"),
                                     category_combo(MONITORING_TYPES, blank="（不是监测户）"))
        self.monitoring_included_on = m.add("monitoring_included_on", self.tr("纳入监测日期"),
                                            line(placeholder="如 2025-03-05"))
        self.risk_types = m.add("risk_types", self.tr("风险类型"),
                                check_list(categories_of(RISK_TYPES), 110))
        self.income_per_capita = m.add("income_per_capita", self.tr("人均纯收入（元）"), line())
        self.income_year = m.add("income_year", self.tr("收入年度"), line())
        self.risk_eliminated = m.add("risk_eliminated", self.tr("风险已消除"), QCheckBox())
        self.risk_eliminated_on = m.add("risk_eliminated_on", self.tr("风险消除日期"), line())
        self.measures = ChildTable(MeasureListModel(), lambda raw: MeasureDialog(raw, self),
                                   "措施", self.changed)
        self.visits_model = VisitTableModel(self.store, self)
        self.visits_model.set_filter("0", [])
        self.visits_view = table(self.visits_model, lambda _row: None)
        self.next_due_label = QLabel()
        new_visit = QPushButton(self.tr("新增走访…"))
        new_visit.clicked.connect(self.request_visit)
        self.timeline = QListWidget()

        basics = QWidget()
        basics_layout = QVBoxLayout(basics)
        basics_layout.addWidget(self.form)
        basics_layout.addWidget(self.warning)
        monitoring = QWidget()
        monitoring_layout = QVBoxLayout(monitoring)
        monitoring_layout.addWidget(self.monitoring)
        monitoring_layout.addWidget(QLabel(self.tr("<b>帮扶措施</b>")))
        monitoring_layout.addWidget(self.measures, 1)
        visits = QWidget()
        visits_layout = QVBoxLayout(visits)
        visits_layout.addWidget(self.next_due_label)
        visits_layout.addWidget(self.visits_view, 1)
        visits_layout.addWidget(new_visit, 0, Qt.AlignmentFlag.AlignLeft)
        self.tabs = QTabWidget()
        for widget, label in ((basics, "基本信息"), (self.members, "家庭成员"),
                              (monitoring, "监测与帮扶"), (visits, "走访记录"),
                              (self.timeline, "时间线")):
            if widget is basics or widget is monitoring:
                scroll = QScrollArea()
                scroll.setWidgetResizable(True)
                scroll.setWidget(widget)
                widget = scroll
            self.tabs.addTab(widget, self.tr(label))
        layout = QVBoxLayout(self)
        layout.addWidget(self.tabs, 1)
        layout.addLayout(self.button_row())
        self.village.currentIndexChanged.connect(self._load_groups)
        self.watch(*self.form.changes(), *self.monitoring.changes())

    def _load_groups(self) -> None:
        current = combo_code(self.group)
        self.group.blockSignals(True)
        self.group.clear()
        self.group.addItem(self.tr("（不填）"), "")
        village_id = combo_code(self.village)
        if village_id:
            for group in villages.list_groups(self.store, village_id):
                self.group.addItem(group.name, group.id)
        set_combo_code(self.group, current)
        self.group.blockSignals(False)

    # -- state ------------------------------------------------------------------------------
    def _load(self, raw: dict[str, Any]) -> None:
        set_combo_code(self.village, raw.get("village_id"))
        self._load_groups()  # the village's groups first, then the group among them
        self.form.set_values(raw, skip=("village_id",))
        self.monitoring.set_values(raw)
        self.members.model.set_rows(list(raw.get("members") or []))
        self.measures.model.set_rows(list(raw.get("measures") or []))
        self.refresh_history()

    def refresh_history(self) -> None:
        """The visits, next due date and timeline of a saved household."""
        household_id = str(self.raw_in["id"])
        self.visits_model.show_household(household_id)
        due_on = household_store.next_due(self.store, household_id)
        self.next_due_label.setText(self.tr("下次应走访：") + due_on.isoformat() if due_on
                                    else self.tr("保存后会算出下次应走访的日期。"))
        self.timeline.clear()
        for entry in household_store.timeline(self.store, household_id):
            self.timeline.addItem(f"{entry.day.isoformat()}  {entry.kind}  {entry.text}")

    def raw(self) -> dict[str, Any]:
        """Everything typed, as core's parse_household expects it (also the draft's payload)."""
        return {"id": self.raw_in["id"], **self.form.values(), **self.monitoring.values(),
                "members": [dict(r) for r in self.members.model.rows],
                "measures": [dict(r) for r in self.measures.model.rows]}

    def title(self) -> str:
        name = self.head_name.text().strip() or self.tr("新户")
        return f"{name}户 — {self.village.currentText()}"

    def printable_forms(self) -> list[tuple[str, str]]:
        return [("monitoring_household", "防返贫监测户信息表")]

    # -- checking and saving ----------------------------------------------------------------
    def parse(self) -> Any:
        return parse_household(self.raw(), today=self.today)

    def write(self, tx: Transaction, record: Any) -> str:
        household_id = household_store.save_household(tx, record)
        return household_id

    def check(self) -> dict[str, str]:
        """Rules at their fields, and a warning (not a refusal) for ID numbers listed in
        another household, naming it."""
        problems = super().check()
        self.warnings = []
        if not problems:
            try:
                self.warnings = household_store.same_id_elsewhere(self.store, self.parse())
            except RecordInvalid:
                pass
        self.warning.setText("\n".join(
            f"注意：身份证号码 {w.id_number} 已登记在{w.village}{w.head_name}户，请核实是否重复登记。"
            for w in self.warnings))
        return problems

    def save(self) -> bool:
        saved = super().save()
        if saved:
            self.check()
            self.refresh_history()
            self.setWindowTitle(self.title())
        return saved

    def show_problems(self, problems: dict[str, str]) -> None:
        self.form.show_problems(problems)
        self.monitoring.show_problems(problems)
        self.members.show_problems(problems, "members.", "位成员")
        self.measures.show_problems(problems, "measures.", "项措施")

    def request_visit(self) -> None:
        """新增走访: only for a saved household (a visit belongs to a stored household)."""
        if household_store.next_due(self.store, str(self.raw_in["id"])) is None:
            self.draft_label.setText(self.tr("请先保存这户，再登记走访。"))
            return
        if self.new_visit_requested is not None:
            self.new_visit_requested(str(self.raw_in["id"]))


def household_raw(store: Store, household_id: str) -> dict[str, Any] | None:
    household = household_store.load_household(store, household_id)
    return household_to_raw(household) if household else None
