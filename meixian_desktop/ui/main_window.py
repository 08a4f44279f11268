"""The main window: navigation on the left, pages built on first visit, status bar, menus.

Start-up budget (tests/benchmarks): the modules on the path to the first window avoid
``PySide6.QtCore.Qt`` (its first import builds every Qt enum, ~15 ms) and ``setShortcut``
(loads PySide's signature parser, ~20 ms); pages that need them load on first visit.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

from PySide6.QtCore import QSettings, QTimer
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence
from PySide6.QtWidgets import (
    QDialog,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QMainWindow,
    QMenu,
    QMessageBox,
    QStackedWidget,
    QWidget,
)

from meixian_desktop import APP_NAME, __version__
from meixian_desktop.core.profile import Profile
from meixian_desktop.store.session import Session
from meixian_desktop.ui.pages.placeholder import PlaceholderPage
from meixian_desktop.ui.pages.today import TodayPage
from meixian_desktop.ui.tasks import Runner, run_in_background, run_now
from meixian_desktop.ui.widgets.sections import SECTIONS, Section

PageFactory = Callable[[], QWidget]


class MainWindow(QMainWindow):
    """One window per open home; pages are made when first shown so start-up stays quick."""

    def __init__(self, session: Session, profile: Profile, *, demo: bool = False,
                 runner: Runner = run_in_background) -> None:
        super().__init__()
        self.session = session
        self.store = session.store
        self.profile = profile
        self.runner = runner
        title = f"{APP_NAME} — {profile.name}（{profile.role_label}）"
        self.setWindowTitle(title + ("【演示数据】" if demo else ""))
        self.nav = QListWidget()
        self.nav.setObjectName("navigation")
        self.nav.setFixedWidth(160)
        self.nav.setStyleSheet(
            "QListWidget#navigation { font-size: 15px; }"
            "QListWidget#navigation::item { padding: 9px 14px; }"
        )
        self.stack = QStackedWidget()
        self.pages: dict[str, QWidget] = {}
        self.factories: dict[str, PageFactory] = {
            "today": self._make_today,
            "patrol": self._make_patrols,
            "mediation": self._make_mediation,
            "visit": self._make_visits,
            "order": self._make_orders,
            "print": self._make_print,
            "sync": self._make_sync,
            "settings": self._make_settings,
        }
        for section in SECTIONS:
            self.nav.addItem(section.label)
        self.nav.currentRowChanged.connect(self._show_section)
        body = QWidget()
        layout = QHBoxLayout(body)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.nav)
        layout.addWidget(self.stack, 1)
        self.setCentralWidget(body)
        self._build_status_bar()
        self._build_menus()
        self._restore_geometry()
        from meixian_desktop.store import settings as settings_store
        from meixian_desktop.ui.idle_lock import IdleLock

        self.idle_lock = IdleLock(self, session.paths.data_dir,
                                  settings_store.get(self.store, "lock_minutes"), demo=demo)
        self.nav.setCurrentRow(0)

    # -- navigation -------------------------------------------------------------------------
    def section_index(self, key: str) -> int:
        return next(i for i, s in enumerate(SECTIONS) if s.key == key)

    def show_section(self, key: str) -> QWidget:
        """Switch to a section (building its page if needed) and return the page."""
        row = self.section_index(key)
        if self.nav.currentRow() == row:
            self._page_shown(self.pages[key])  # already there: still show what is new
        self.nav.setCurrentRow(row)
        return self.pages[key]

    @staticmethod
    def _page_shown(page: QWidget | None) -> None:
        shown = getattr(page, "shown", None)
        if callable(shown):  # what changed elsewhere meanwhile (a save, a sync) shows
            shown()

    def _show_section(self, row: int) -> None:
        if row < 0:
            return
        section = SECTIONS[row]
        page = self.pages.get(section.key)
        if page is None:
            page = self._make_page(section)
            self.pages[section.key] = page
            self.stack.addWidget(page)
        else:
            self._page_shown(page)
        self.stack.setCurrentWidget(page)

    def _make_page(self, section: Section) -> QWidget:
        factory = self.factories.get(section.key)
        return factory() if factory else PlaceholderPage(section)

    def _make_today(self) -> QWidget:
        page = TodayPage(self.store, self.profile, runner=self.runner)
        page.count_changed.connect(self._set_due_badge)
        page.open_record.connect(self.open_record)
        self._set_due_badge(page.list.count())  # a synchronous runner has filled it already
        return page

    def _make_patrols(self) -> QWidget:
        from meixian_desktop.ui.pages.patrols import PatrolPage

        page = PatrolPage(self.store, self.session.paths, self.profile)
        # 今日待办 looks again when a record is saved, not at every search keystroke
        page.list.records_changed.connect(self.refresh_today)
        return page

    def _make_print(self) -> QWidget:
        from meixian_desktop.ui.pages.print_page import PrintPage

        return PrintPage(self.store, self.session.paths, self.profile, runner=self.runner)

    def _make_sync(self) -> QWidget:
        from meixian_desktop.ui.pages.sync_page import make_sync_page

        page = make_sync_page(self.store, self.session.paths, self.profile, runner=self.runner)
        page.changed.connect(self.refresh_sync_status)  # an export, a receipt, an import
        page.changed.connect(self.refresh_today)
        agent = self.sync_agent
        if agent is not None and hasattr(page, "sync_now"):
            page.sync_now.connect(agent.sync_now)
            agent.finished.connect(lambda _result: page.refresh())
        return page

    def _make_mediation(self) -> QWidget:
        from meixian_desktop.ui.pages.mediation import MediationPage

        page = MediationPage(self.store, self.profile, paths=self.session.paths)
        page.records_changed.connect(self.refresh_today)
        return page

    def _make_visits(self) -> QWidget:
        from meixian_desktop.ui.pages.visits import VisitPage

        page = VisitPage(self.store, self.session.paths, self.profile)
        page.records_changed.connect(self.refresh_today)
        return page

    def _make_orders(self) -> QWidget:
        from meixian_desktop.ui.pages.orders import OrderPage

        page = OrderPage(self.store, self.session.paths, self.profile)
        page.records_changed.connect(self.refresh_today)
        return page

    def refresh_today(self) -> None:
        today = self.pages.get("today")
        if isinstance(today, TodayPage):
            today.refresh()

    def _make_settings(self) -> QWidget:
        from meixian_desktop.ui.pages.settings import SettingsPage

        return SettingsPage(self.store, self.profile)

    def _set_due_badge(self, count: int) -> None:
        label = SECTIONS[0].label + (f"（{count}）" if count else "")
        self.nav.item(0).setText(label)

    def open_record(self, table: str, record_id: str) -> QWidget | None:
        """Open a record from anywhere (今日待办, search) in its section's editor."""
        if table == "findings":
            page = self.show_section("patrol")
            return page.open_finding(record_id)  # type: ignore[attr-defined]
        if table == "patrols":
            page = self.show_section("patrol")
            return page.list.open_patrol(record_id)  # type: ignore[attr-defined]
        if table == "households":
            page = self.show_section("visit")
            return page.open_household(record_id, tab="visits")  # type: ignore[attr-defined]
        if table == "cases":
            page = self.show_section("mediation")
            return page.open_case(record_id)  # type: ignore[attr-defined]
        if table == "orders":
            page = self.show_section("order")
            return page.open_order(record_id)  # type: ignore[attr-defined]
        self.statusBar().showMessage(self.tr("这类记录的页面还没有建好：") + table, 5000)
        return None

    # -- status bar and menus ----------------------------------------------------------------
    def _build_status_bar(self) -> None:
        bar = self.statusBar()
        self.status_worker = QLabel(f"{self.profile.name}（{self.profile.role_label}）")
        self.status_sync = QLabel(self.tr("同步：尚未同步"))
        self.sync_agent = None
        self.refresh_sync_status()
        if not self.profile.is_town:  # the worker's batches go out by themselves over a network
            from meixian_desktop.ui.sync_agent import SyncAgent

            self.sync_agent = SyncAgent(self.store, self.session.paths, self.profile,
                                        runner=self.runner, parent=self)
            self.sync_agent.status.connect(self.status_sync.setText)
            self.sync_agent.revoked.connect(self.revoked)
        self.status_folder = QLabel(self.tr("数据：") + str(self.session.paths.data_dir))
        for label in (self.status_worker, self.status_sync, self.status_folder):
            bar.addPermanentWidget(label)

    def refresh_sync_status(self) -> None:
        from meixian_desktop.ui.sync_agent import batch_status

        self.status_sync.setText(batch_status(self.store, town=self.profile.is_town))

    def add_action(self, menu: QMenu, text: str, handler: Callable[[], object],
                   keys: str = "") -> QAction:
        """One menu entry. Shortcuts go through setShortcuts([...]): PySide's setShortcut()
        overloads load its signature machinery on first use, about 20 ms of every start."""
        action = menu.addAction(text)
        action.triggered.connect(lambda _checked=False: handler())
        if keys:
            action.setShortcuts([QKeySequence(keys)])
        return action

    def _build_menus(self) -> None:
        file_menu = self.menuBar().addMenu(self.tr("文件(&F)"))
        self.add_action(file_menu, self.tr("立即备份(&B)"), self.backup_now)
        self.add_action(file_menu, self.tr("锁定(&L)"), lambda: self.idle_lock.lock(), "Ctrl+L")
        file_menu.addSeparator()
        self.add_action(file_menu, self.tr("退出(&X)"), self.close, "Ctrl+Q")
        go_menu = self.menuBar().addMenu(self.tr("转到(&G)"))
        for number, section in enumerate(SECTIONS, start=1):
            self.add_action(go_menu, section.label, partial(self.show_section, section.key),
                            f"Ctrl+{number}")
        help_menu = self.menuBar().addMenu(self.tr("帮助(&H)"))
        self.add_action(help_menu, self.tr("关于(&A)"), self.show_about)

    def about_text(self) -> str:
        paths = self.session.paths
        return (
            f"<h3>{APP_NAME} {__version__}</h3>"
            f"<p>梅仙镇网格员与镇级的离线工作软件。</p>"
            f"<p>数据文件夹：{paths.data_dir}<br>备份文件夹：{paths.backup_dir}<br>"
            f"设备编号：{self.store.meta('device_id')}</p>"
        )

    def show_about(self) -> None:
        QMessageBox.about(self, self.tr("关于梅仙网格通"), self.about_text())

    # -- backups ------------------------------------------------------------------------------
    def start_daily_backup(self) -> None:
        """Back up once a day, off the GUI thread, after the window is up."""
        from meixian_desktop.store import settings as settings_store
        from meixian_desktop.store.backup import daily_backup_if_due

        paths = self.session.paths
        keep = settings_store.get(self.store, "backup_keep_days")
        def done(made: object) -> None:
            if made:
                self.statusBar().showMessage(self.tr("已自动备份"), 5000)

        self.runner(
            lambda: daily_backup_if_due(paths.database, paths.backup_dir, keep),
            done,
            lambda message: self.statusBar().showMessage(self.tr("自动备份失败：") + message),
        )

    def backup_now(self) -> None:
        from meixian_desktop.store.backup import make_backup

        try:
            made = make_backup(self.store.conn, self.session.paths.backup_dir, "manual",
                               key=self.store.key)
        except Exception as exc:  # a StoreError carries the sentence to show
            QMessageBox.warning(self, self.tr("备份失败"), getattr(exc, "message", str(exc)))
            return
        QMessageBox.information(self, self.tr("备份完成"), self.tr("已备份到：") + str(made))

    # -- geometry -----------------------------------------------------------------------------
    def _ui_state(self) -> QSettings:
        return QSettings(str(self.session.paths.ui_state_file), QSettings.Format.IniFormat)

    def _restore_geometry(self) -> None:
        geometry = self._ui_state().value("main/geometry")
        if geometry is None or not self.restoreGeometry(geometry):
            self.resize(1100, 720)

    def save_geometry(self) -> None:
        state = self._ui_state()
        state.setValue("main/geometry", self.saveGeometry())
        state.sync()

    def closeEvent(self, event: QCloseEvent) -> None:
        """Close open editors first: each keeps a draft of what was typed."""
        for dialog in self.findChildren(QDialog):
            if dialog.isVisible():
                dialog.close()
        self.save_geometry()
        super().closeEvent(event)

    def revoked(self, why: str) -> None:
        """The town revoked this laptop (learnt from its hub): the data key is destroyed."""
        from meixian_desktop.ui.revocation import tell_and_destroy

        self.revoked_box = tell_and_destroy(self, self.session.paths.data_dir, why)

    def start_background_work(self) -> None:
        """Once the window is up: gather 今日待办, and back up a little later. Started after
        the first paint, so the background thread's imports never slow the window's showing."""
        today = self.pages.get("today")
        if isinstance(today, TodayPage) and self.runner is not run_now:
            today.refresh()
        self.idle_lock.start()
        QTimer.singleShot(2000, self, self.start_daily_backup)
        if self.sync_agent is not None:
            QTimer.singleShot(5000, self, self.sync_agent.start)
