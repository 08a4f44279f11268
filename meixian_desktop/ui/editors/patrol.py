"""The patrol editor: header, kind's own fields, route, findings; checked as typed, autosaved."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from PySide6.QtWidgets import (
    QFileDialog,
    QLabel,
    QVBoxLayout,
    QWidget,
)

from meixian_desktop.core.errors import ValidationError
from meixian_desktop.core.gpx import parse_gpx
from meixian_desktop.core.ids import uuid7
from meixian_desktop.core.patrols import (
    FIRE_DANGER,
    KINDS,
    RIVER_CHIEF_LEVELS,
    WEATHER,
    parse_patrol,
)
from meixian_desktop.core.profile import Profile
from meixian_desktop.paths import Paths
from meixian_desktop.store import patrols as patrol_store
from meixian_desktop.store import villages
from meixian_desktop.store.database import Store, Transaction
from meixian_desktop.ui.editors.drafting import DraftingEditor
from meixian_desktop.ui.editors.finding import FindingEditor
from meixian_desktop.ui.models.patrols import FindingListModel
from meixian_desktop.ui.widgets.child_table import ChildTable
from meixian_desktop.ui.widgets.fields import (
    FieldForm,
    category_combo,
    check_list,
    date_box,
    date_text,
    line,
    text_area,
)
from meixian_desktop.ui.widgets.row_table import RowTable

DRAFT_KIND = "patrol"
def new_patrol_raw(kind: str, profile: Profile, store: Store, today: date) -> dict[str, Any]:
    """A blank patrol of ``kind`` led by the worker, in the worker's villages."""
    own = villages.own_village_ids(store, profile.villages)
    return {"id": uuid7(), "kind": kind, "patrol_date": today.isoformat(),
            "leader": "" if profile.is_town else profile.name, "village_ids": own,
            "findings": [], "waypoints": []}


class WaypointTable(RowTable):
    """Route points typed by hand or imported from a phone's GPX file."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__([("lat", "纬度"), ("lon", "经度"), ("name", "名称")],
                         "添加点", blank_rows=False, parent=parent)
        self.table.setMinimumHeight(110)
        self.add_button(self.tr("从 GPX 文件导入…"), self.pick_gpx)

    def set_points(self, points: list[dict[str, Any]]) -> None:
        self.set_rows(points)
        self.changed.emit()

    def set_value(self, value: Any) -> None:
        self.set_points(list(value or []))

    def points(self) -> list[dict[str, str]]:
        return self.filled_rows()

    def import_gpx(self, path: Path) -> bool:
        """Replace the points with a GPX file's; a bad file leaves them as they were."""
        try:
            points = parse_gpx(path.read_bytes(), path.name)
        except OSError:
            self.message.setText(self.tr("无法读取文件：") + str(path))
            return False
        except ValidationError as exc:
            self.message.setText(exc.message)
            return False
        self.set_points([{"lat": p.lat, "lon": p.lon, "name": p.name} for p in points])
        self.message.setText(self.tr("已导入 %n 个点。", "", len(points)))
        self.message.setVisible(True)
        return True

    def pick_gpx(self) -> None:
        name, _ = QFileDialog.getOpenFileName(self, self.tr("选择 GPX 轨迹文件"), "",
                                              self.tr("GPX 轨迹 (*.gpx);;所有文件 (*)"))
        if name:
            self.import_gpx(Path(name))


class PatrolEditor(DraftingEditor):
    """Edit one patrol. Every change is re-checked; a draft is kept every few seconds and on
    close, so a crash or a closed window loses nothing; 保存 writes the whole patrol at once."""

    draft_kind = DRAFT_KIND

    def __init__(self, store: Store, paths: Paths, profile: Profile, raw: dict[str, Any],
                 *, today: date | None = None, parent: QWidget | None = None) -> None:
        super().__init__(store, raw, today=today, parent=parent)
        self.paths = paths
        self.profile = profile
        self.kind = str(self.raw_in.get("kind"))
        self.categories = patrol_store.finding_categories(store)
        self._build()
        self._load(self.raw_in)
        self.setWindowTitle(f"{KINDS.label_of(self.kind)} — {date_text(self.patrol_date)}")
        self.start()
        self.resize(900, 760)

    # -- building ---------------------------------------------------------------------------
    def _build(self) -> None:
        f = self.form = FieldForm()
        self.patrol_date = f.add("patrol_date", self.tr("巡查日期"), date_box())
        self.start_time = f.add("start_time", self.tr("开始时间"), line(placeholder="如 08:30"))
        self.end_time = f.add("end_time", self.tr("结束时间"), line(placeholder="如 11:30"))
        self.weather = f.add("weather", self.tr("天气"),
                             category_combo(WEATHER.active(), blank=self.tr("（不填）")))
        self.leader = f.add("leader", self.tr("巡查负责人"), line())
        self.companions = f.add("companions", self.tr("同行人员"),
                                line(placeholder=self.tr("多人用顿号分开，如 王强、刘芳")))
        self.village_list = check_list((v.id, v.name) for v in villages.list_villages(self.store))
        f.add("village_ids", self.tr("巡查的村（社区）"), self.village_list)
        area_label = {"forest": "林区/山场", "river": "河段说明", "farmland": "田块/区域"}
        self.area = f.add("area", self.tr(area_label.get(self.kind, "区域")), line())
        self.fire_danger = f.add("fire_danger", self.tr("森林火险等级"),
                                 category_combo(FIRE_DANGER, blank=self.tr("（不填）")))
        self.forest_entrants = f.add("forest_entrants", self.tr("登记进山人数"), line())
        self.river_name = f.add("river_name", self.tr("河流名称"), line(placeholder="如 汨罗江"))
        self.river_section = f.add("river_section", self.tr("河段"), line())
        self.river_chief_level = f.add("river_chief_level", self.tr("河长级别"),
                                       category_combo(RIVER_CHIEF_LEVELS, blank=self.tr("（不填）")))
        self.plot_number = f.add("plot_number", self.tr("地块/图斑号"), line())
        for key, kind in (("fire_danger", "forest"), ("forest_entrants", "forest"),
                          ("river_name", "river"), ("river_section", "river"),
                          ("river_chief_level", "river"), ("plot_number", "farmland")):
            f.set_row_visible(key, self.kind == kind)
        self.route_start = f.add("route_start", self.tr("路线起点"), line())
        self.route_end = f.add("route_end", self.tr("路线终点"), line())
        self.distance_km = f.add("distance_km", self.tr("巡查里程（公里）"), line())
        self.waypoints = WaypointTable()
        f.add("waypoints", self.tr("路线航点"), self.waypoints)
        self.notes = f.add("notes", self.tr("备注"), text_area())
        self.signature = f.add("signature", self.tr("负责人签名"),
                               line(placeholder=self.tr("负责人确认后填写姓名")))

        self.findings_model = FindingListModel(self.categories.get(self.kind))
        self.findings = ChildTable(self.findings_model, self._finding_dialog, self.tr("问题"),
                                   self.changed, edit_label=self.tr("查看/处理问题…"))
        self.findings.view.setMinimumHeight(170)

        body = QWidget()
        column = QVBoxLayout(body)
        column.addWidget(self.form)
        column.addWidget(QLabel(self.tr("<b>发现问题</b>（没有发现问题也要保存巡查记录）")))
        column.addWidget(self.findings)
        self.lay_out(body)

        self.watch(*self.form.changes())

    # -- state: the form's fields by their core names, and the findings ----------------------
    def _load(self, raw: dict[str, Any]) -> None:
        self.form.set_values({"patrol_date": self.today.isoformat(), **raw})
        self.findings_model.set_rows(list(raw.get("findings") or []))

    def raw(self) -> dict[str, Any]:
        """Everything typed, as core's parse_patrol expects it (also the draft's payload)."""
        return {"id": self.raw_in["id"], "kind": self.kind, **self.form.values(),
                "findings": [dict(row) for row in self.findings_model.rows]}

    def title(self) -> str:
        return f"{KINDS.label_of(self.kind)} {date_text(self.patrol_date)}"

    def printable_forms(self) -> list[tuple[str, str]]:
        return [(f"{self.kind}_patrol", f"{KINDS.label_of(self.kind)}记录表")]

    def parse(self) -> Any:
        return parse_patrol(self.raw(), today=self.today, categories_by_kind=self.categories)

    def write(self, tx: Transaction, record: Any) -> str:
        return patrol_store.save_patrol(tx, record)

    def show_problems(self, problems: dict[str, str]) -> None:
        """Each problem at its field; a finding's problems under the findings table."""
        rest = self.form.show_problems(problems)
        self.findings.show_problems(rest, "findings.", self.tr("个问题"))

    # -- findings ---------------------------------------------------------------------------
    def finding_editor(self, number: int | None) -> FindingEditor:
        return self._finding_dialog(self.findings_model.rows[number] if number is not None
                                    else {})

    def _finding_dialog(self, raw: dict[str, Any]) -> FindingEditor:
        return FindingEditor(
            self.store, self.paths.attachments_dir, self.kind, self.categories[self.kind],
            self.profile.name, raw or None, date.fromisoformat(date_text(self.patrol_date)),
            parent=self,
        )

    def edit_finding(self, number: int | None) -> FindingEditor:
        """Open the finding editor (window-modal, without blocking); 确定 applies it here."""
        editor: FindingEditor = self.findings.edit(number)
        return editor

    def apply_finding(self, number: int | None, raw: dict[str, Any]) -> None:
        self.findings.apply(number, raw)

    @property
    def open_finding_editor(self) -> FindingEditor | None:
        found: FindingEditor | None = self.findings.open_dialog
        return found

