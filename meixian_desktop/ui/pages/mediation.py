"""矛盾纠纷: the case list with filters and search, drafts to recover; opens the editor."""

from __future__ import annotations

from datetime import date
from typing import Any

from PySide6.QtWidgets import QCheckBox, QWidget

from meixian_desktop.core import clock
from meixian_desktop.core.mediation import CATEGORIES, RISK_TAGS, STATUSES
from meixian_desktop.core.mediation_forms import case_to_raw
from meixian_desktop.core.profile import Profile
from meixian_desktop.paths import Paths
from meixian_desktop.store import mediation as case_store
from meixian_desktop.store import villages
from meixian_desktop.store.database import Store
from meixian_desktop.store.errors import StoreError
from meixian_desktop.ui.editors.mediation import DRAFT_KIND, CaseEditor, new_case_raw
from meixian_desktop.ui.models.mediation import CaseTableModel
from meixian_desktop.ui.pages.record_list import RecordListPage
from meixian_desktop.ui.widgets.fields import table_view


class MediationPage(RecordListPage):
    """The 矛盾纠纷 section: every case, risk-tagged first, narrowed by status, category,
    village, risk and overdue, searched by party name, ID number, case number or text."""

    def __init__(self, store: Store, profile: Profile, *, today: date | None = None,
                 paths: Paths | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.store = store
        self.profile = profile
        self.paths = paths
        self._today = today
        self.setup_list(self.tr("搜索：当事人姓名、身份证号、案号、纠纷事实…（Ctrl+F）"),
                        self.new_case)
        self.model = CaseTableModel(store, self, today=self.today())
        self.view = table_view(self.model)
        self.view.doubleClicked.connect(
            lambda index: self.open_case(self.model.record_id(index.row())))
        self.status = self.combo([("", self.tr("全部状态"))] + [(c.code, c.label)
                                                               for c in STATUSES])
        self.category = self.combo([("", self.tr("全部类别"))] + [(c.code, c.label)
                                                                 for c in CATEGORIES])
        self.village = self.combo([("", self.tr("全部村（社区）"))] + [
            (v.id, v.name) for v in villages.list_villages(store, include_retired=True)])
        self.risk = self.combo([("", self.tr("全部风险")), ("any", self.tr("有风险标签"))]
                               + [(c.code, c.label) for c in RISK_TAGS])
        self.overdue = QCheckBox(self.tr("超过调解期限"))
        self.overdue.toggled.connect(self.apply_filter)
        self.drafts = self.banner(DRAFT_KIND, self.tr("纠纷案件"), self.open_editor)
        self.lay_out(self.tr("矛盾纠纷"), [(self.tr("登记纠纷"), self.new_case),
                                         (self.tr("打开"), self.open_selected)],
                     [self.status, self.category, self.village, self.risk, self.overdue])

    def today(self) -> date:
        return self._today or clock.today()

    def current_filter(self) -> case_store.CaseFilter:
        return case_store.CaseFilter(
            status=str(self.status.currentData() or ""),
            category=str(self.category.currentData() or ""),
            village_id=str(self.village.currentData() or ""),
            risk_tag=str(self.risk.currentData() or ""), overdue=self.overdue.isChecked(),
            query=self.search.text())

    def apply_filter(self) -> None:
        where, params = case_store.filter_condition(self.store, self.current_filter(),
                                                    self.today())
        self.model.set_filter(where, params)
        self.show_count(self.tr("件纠纷"))

    def open_editor(self, raw: dict[str, Any]) -> CaseEditor:
        editor = CaseEditor(self.store, self.profile, raw, today=self.today(), paths=self.paths,
                            parent=self)
        self.track(editor)
        return editor

    def new_case(self) -> CaseEditor:
        return self.open_editor(new_case_raw(self.profile, self.store, self.today()))

    def open_case(self, case_id: str) -> CaseEditor | None:
        case = case_store.load_case(self.store, case_id)
        if case is None:
            self.message.setText(self.tr("这个案件已被删除。"))
            return None
        try:
            case_store.record_view(self.store, self.profile.name, case_id)
        except StoreError as exc:
            self.message.setText(exc.message)
            return None
        return self.open_editor(case_to_raw(case))

    def open_selected(self) -> CaseEditor | None:
        case_id = self.selected_id(self.tr("请先选中一个案件。"))
        return self.open_case(case_id) if case_id else None
