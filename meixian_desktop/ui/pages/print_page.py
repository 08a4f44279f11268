"""打印: pick a form and a set of records (or a month's 工作台账) and print them as one PDF."""

from __future__ import annotations

import calendar
import io
from collections.abc import Callable
from datetime import date
from typing import Any

from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from meixian_desktop.core import clock
from meixian_desktop.core.profile import Profile
from meixian_desktop.core.progress import Cancelled, Progress
from meixian_desktop.paths import Paths
from meixian_desktop.printing.batch import Candidate, candidates, print_records
from meixian_desktop.printing.forms import FormInfo, form_infos
from meixian_desktop.printing.render import Rendered
from meixian_desktop.store.database import Store
from meixian_desktop.ui.tasks import Runner, run_in_background, run_with_progress

ID_ROLE = Qt.ItemDataRole.UserRole


def _first_of_month(day: date) -> date:
    return day.replace(day=1)


def _last_of_month(day: date) -> date:
    return day.replace(day=calendar.monthrange(day.year, day.month)[1])


def qdate(day: date) -> QDate:
    return QDate(day.year, day.month, day.day)


class PrintPage(QWidget):
    """A form, a date range, a checked list of records → one PDF in the print preview."""

    def __init__(self, store: Store, paths: Paths, profile: Profile, *,
                 runner: Runner = run_in_background, today: date | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.store, self.paths, self.profile, self.runner = store, paths, profile, runner
        self.infos: list[FormInfo] = form_infos(paths.config_dir)
        self.preview: Any = None
        self.progress: Progress | None = None
        day = today or clock.today()

        self.form = QComboBox()
        for info in self.infos:
            self.form.addItem(f"{info.title}（{info.record_label}）", info.name)
            if info.problem:  # a broken template: listed, explained, not selectable
                index = self.form.count() - 1
                self.form.setItemData(index, info.problem, Qt.ItemDataRole.ToolTipRole)
                self.form.model().item(index).setEnabled(False)  # type: ignore[attr-defined]
        self.start = QDateEdit(qdate(_first_of_month(day)))
        self.end = QDateEdit(qdate(_last_of_month(day)))
        for edit in (self.start, self.end):
            edit.setCalendarPopup(True)
            edit.setDisplayFormat("yyyy-MM-dd")
            edit.setKeyboardTracking(False)  # list once the date is typed, not at each digit
            edit.dateChanged.connect(self.refresh)
        self.form.currentIndexChanged.connect(self.refresh)

        self.list = QListWidget()
        self.list.itemChanged.connect(self._count_checked)
        self.summary = QLabel()
        self.problem = QLabel()
        self.problem.setWordWrap(True)
        self.problem.setStyleSheet("color:#b00020;")
        check_all = QPushButton(self.tr("全选"))
        check_all.clicked.connect(lambda: self.set_all(True))
        check_none = QPushButton(self.tr("全不选"))
        check_none.clicked.connect(lambda: self.set_all(False))
        self.print_button = QPushButton(self.tr("生成 PDF 并预览"))
        self.print_button.setDefault(True)
        self.print_button.clicked.connect(self.print_checked)

        choose = QFormLayout()
        choose.addRow(self.tr("表单"), self.form)
        dates = QHBoxLayout()
        dates.addWidget(self.start)
        dates.addWidget(QLabel(self.tr("至")))
        dates.addWidget(self.end)
        dates.addStretch(1)
        choose.addRow(self.tr("日期"), dates)
        actions = QHBoxLayout()
        actions.addWidget(self.summary, 1)
        for button in (check_all, check_none, self.print_button):
            actions.addWidget(button)

        records = QGroupBox(self.tr("按表单批量打印"))
        box = QVBoxLayout(records)
        box.addLayout(choose)
        box.addWidget(self.problem)
        box.addWidget(self.list, 1)
        box.addLayout(actions)

        layout = QVBoxLayout(self)
        layout.addWidget(QLabel("<h2>" + self.tr("打印") + "</h2>"))
        layout.addWidget(records, 1)
        self.ledger_box = self._ledger_box(day)
        layout.addWidget(self.ledger_box)
        self.refresh()

    # -- the ledger -------------------------------------------------------------------------
    def _ledger_box(self, day: date) -> QGroupBox:
        box = QGroupBox(self.tr("工作台账"))
        row = QHBoxLayout(box)
        self.month = QDateEdit(qdate(_first_of_month(day)))
        self.month.setDisplayFormat("yyyy年M月")
        self.month.setCalendarPopup(True)
        scope = self.tr("全镇各村") if self.profile.is_town else self.tr("本人")
        row.addWidget(QLabel(self.tr("月份")))
        row.addWidget(self.month)
        row.addWidget(QLabel(self.tr("（%1的巡查、问题、纠纷、走访、监护令回访及合计）")
                             .replace("%1", scope)), 1)
        self.ledger_button = QPushButton(self.tr("打印工作台账"))
        self.ledger_button.clicked.connect(self.print_ledger)
        row.addWidget(self.ledger_button)
        return box

    def print_ledger(self) -> None:
        from meixian_desktop.printing.ledger import print_ledger

        month = self.month.date().toPython()
        assert isinstance(month, date)
        first = _first_of_month(month)
        out, name = io.BytesIO(), self._file_name(f"工作台账-{first:%Y%m}")
        actor, profile, config = self.profile.name, self.profile, self.paths.config_dir

        def work(store: Store, progress: Progress) -> Rendered:
            return print_ledger(store, first, out, actor=actor, profile=profile,
                                config_dir=config)

        self._run(work, out, self.tr("工作台账 %1年%2月").replace("%1", str(first.year))
                  .replace("%2", str(first.month)), name)

    # -- the record list --------------------------------------------------------------------
    @property
    def form_name(self) -> str:
        return str(self.form.currentData() or "")

    def refresh(self, *_args: object) -> None:
        """List the chosen form's records in the date range, all checked."""
        start, end = self.start.date().toPython(), self.end.date().toPython()
        self.list.blockSignals(True)
        self.list.clear()
        self.problem.clear()
        rows: list[Candidate] = []
        if self.form_name:
            if start > end:  # type: ignore[operator]
                self.problem.setText(self.tr("开始日期晚于结束日期，请改一下日期。"))
            else:
                rows = candidates(self.store, self.form_name, str(start), str(end))
        for row in rows:
            status = f"  [{row.status}]" if row.status else ""
            item = QListWidgetItem(f"{row.date}  {row.text}{status}")
            item.setData(ID_ROLE, row.id)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Checked)
            self.list.addItem(item)
        self.list.blockSignals(False)
        if not rows and not self.problem.text():
            self.problem.setText(self.tr("这段日期里没有可以用这张表单打印的记录。"))
        self._count_checked()

    def checked_ids(self) -> list[str]:
        return [str(self.list.item(i).data(ID_ROLE)) for i in range(self.list.count())
                if self.list.item(i).checkState() == Qt.CheckState.Checked]

    def set_all(self, checked: bool) -> None:
        state = Qt.CheckState.Checked if checked else Qt.CheckState.Unchecked
        self.list.blockSignals(True)
        for i in range(self.list.count()):
            self.list.item(i).setCheckState(state)
        self.list.blockSignals(False)
        self._count_checked()

    def _count_checked(self, *_args: object) -> None:
        chosen = len(self.checked_ids())
        self.summary.setText(self.tr("共 %1 条，已选 %2 条").replace("%1", str(self.list.count()))
                             .replace("%2", str(chosen)))
        self.print_button.setEnabled(chosen > 0)

    def print_checked(self) -> None:
        ids, form = self.checked_ids(), self.form_name
        if not ids:
            return
        out, name = io.BytesIO(), self._file_name(f"{form}-批量{len(ids)}份")
        actor, config = self.profile.name, self.paths.config_dir

        def work(store: Store, progress: Progress) -> Rendered:
            return print_records(store, form, ids, out, actor=actor, config_dir=config,
                                 progress=progress)

        self._run(work, out, self.form.currentText(), name)

    # -- running it -------------------------------------------------------------------------
    @staticmethod
    def _file_name(stem: str) -> str:
        return f"{stem}-{clock.now():%Y%m%d-%H%M%S}.pdf"

    def _run(self, work: Callable[[Store, Progress], Rendered], out: io.BytesIO, title: str,
             name: str) -> None:
        """Run ``work`` on its own connection off the GUI thread, with a cancellable progress
        dialog; the finished PDF (in memory only) opens in the preview."""
        progress = self.progress = Progress()

        def describe(done: int, total: int, text: str) -> str:
            return (self.tr("%1：第 %2 / %3 份").replace("%1", text)
                    .replace("%2", str(done + 1)).replace("%3", str(total)))

        def failed(message: str) -> None:
            if progress.cancelled:
                self.problem.setText(Cancelled().message)
                return
            QMessageBox.warning(self, self.tr("无法打印"), message)

        run_with_progress(self, self.runner, self.store.path, title, work,
                          lambda result: self._show(out, title, result, name), failed, progress,
                          describe=describe)

    def _show(self, out: io.BytesIO, title: str, result: Rendered, name: str) -> None:
        from meixian_desktop.ui.print_preview import PrintPreview

        self.problem.setText(self.tr("已生成 PDF，共 %1 页。").replace("%1", str(result.pages)))
        self.preview = PrintPreview(out.getvalue(), title, result.messages(), self, name=name)
        self.preview.open()
