"""The visit editor (入户走访记录): checked as typed, autosaved, moves the household's due date."""

from __future__ import annotations

from datetime import date
from typing import Any

from PySide6.QtWidgets import (
    QLabel,
    QWidget,
)

from meixian_desktop.core.households import (
    NEEDS,
    SATISFACTION,
    VISIT_TYPES,
    parse_visit,
)
from meixian_desktop.core.profile import Profile
from meixian_desktop.paths import Paths
from meixian_desktop.store import households as household_store
from meixian_desktop.store.database import Store, Transaction
from meixian_desktop.ui.editors.drafting import DraftingEditor
from meixian_desktop.ui.widgets.fields import (
    ERROR_STYLE,
    FieldForm,
    categories_of,
    category_combo,
    check_list,
    date_box,
    date_text,
    line,
    text_area,
)
from meixian_desktop.ui.widgets.photos import PhotoStrip
from meixian_desktop.ui.widgets.row_table import RowTable

DRAFT_KIND = "visit"
NOTES = {"income_note": "收入情况", "health_note": "健康情况", "housing_note": "住房情况",
         "water_note": "饮水情况", "schooling_note": "上学情况"}


def new_visit_raw(household_id: str, profile: Profile, today: date) -> dict[str, Any]:
    return {"household_id": household_id, "visit_date": today.isoformat(),
            "visitors": "" if profile.is_town else profile.name, "visit_type": "routine"}


def referral_table() -> RowTable:
    """Items handed to a department after the visit: department, item, deadline."""
    table = RowTable([("department", "交办部门"), ("item", "事项"), ("deadline", "办理期限")],
                     "添加交办事项", blank_rows=False)
    table.table.setMinimumHeight(100)
    return table


class VisitEditor(DraftingEditor):
    """Record one visit to a household."""

    draft_kind = DRAFT_KIND

    def __init__(self, store: Store, paths: Paths, profile: Profile, raw: dict[str, Any],
                 *, today: date | None = None, parent: QWidget | None = None) -> None:
        super().__init__(store, raw, today=today, parent=parent)
        self.paths = paths
        self.profile = profile
        household = household_store.load_household(store, str(raw.get("household_id")))
        self.household_name = f"{household.head_name}户" if household else "（户已删除）"
        self._build()
        self._load(self.raw_in)
        self.setWindowTitle(self.title())
        self.start()
        self.resize(760, 760)

    def _build(self) -> None:
        f = self.form = FieldForm()
        f.layout_.addRow(self.tr("走访对象"), QLabel(f"<b>{self.household_name}</b>"))
        self.visit_date = f.add("visit_date", self.tr("走访日期"), date_box(self.today))
        self.visit_time = f.add("visit_time", self.tr("走访时间"), line(placeholder="如 09:30"))
        self.visitors = f.add("visitors", self.tr("走访人"), line())
        self.visit_type = f.add("visit_type", self.tr("走访类型"), category_combo(VISIT_TYPES))
        self.person_met = f.add("person_met", self.tr("见到的人"), line())
        self.others_present = f.add("others_present", self.tr("其他在场人员"), line())
        for key, label in NOTES.items():
            setattr(self, key, f.add(key, self.tr(label), line()))
        self.needs = f.add("needs", self.tr("需求和问题"), check_list(categories_of(NEEDS), 80,
                                                             chosen_first=False))
        self.needs_detail = f.add("needs_detail", self.tr("具体情况"), text_area())
        self.done_on_spot = f.add("done_on_spot", self.tr("当场办理"), text_area())
        self.referrals = referral_table()
        f.add("referrals", self.tr("交办事项"), self.referrals)
        self.satisfaction = f.add("satisfaction", self.tr("满意度"),
                                  category_combo(SATISFACTION, blank="（不填）"))
        self.photos = PhotoStrip(self.store, self.paths.attachments_dir)
        f.add("photos", self.tr("照片"), self.photos)
        self.next_visit_date = f.add("next_visit_date", self.tr("下次走访日期"),
                                     line(placeholder=self.tr("不填则按走访频次自动计算")))
        self.problems_label = QLabel()
        self.problems_label.setStyleSheet(ERROR_STYLE)
        self.lay_out(self.form, self.problems_label)
        self.watch(*f.changes())

    def _load(self, raw: dict[str, Any]) -> None:
        self.form.set_values({"visit_date": self.today.isoformat(), **raw,
                              "visit_type": raw.get("visit_type") or "routine"})

    def raw(self) -> dict[str, Any]:
        return {"id": self.raw_in["id"], "household_id": self.raw_in.get("household_id"),
                **self.form.values()}

    def title(self) -> str:
        return f"走访 {self.household_name} {date_text(self.visit_date)}"

    def printable_forms(self) -> list[tuple[str, str]]:
        return [("household_visit", "入户走访记录表")]

    def parse(self) -> Any:
        return parse_visit(self.raw(), today=self.today)

    def write(self, tx: Transaction, record: Any) -> str:
        return household_store.save_visit(tx, record)

    def show_problems(self, problems: dict[str, str]) -> None:
        rest = self.form.show_problems(problems)
        self.problems_label.setText("\n".join(rest.values()))
