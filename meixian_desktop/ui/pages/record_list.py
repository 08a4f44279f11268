"""What every record list page shares: a debounced search box, a count, and its open editors."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from meixian_desktop.ui.editors.drafting import DraftBanner, DraftingEditor


class RecordListPage(QWidget):
    """Base of the 巡查, 走访 and 监护令 lists. Subclasses call ``setup_list()`` and give
    ``apply_filter()``; editors opened through ``track()`` refresh the list when saved and
    keep the draft banners right when closed."""

    records_changed = Signal()  # a record was saved or deleted here: 今日待办 looks again

    def setup_list(self, placeholder: str, on_new: Callable[[], object]) -> None:
        self.editors: list[DraftingEditor] = []
        self.banners: list[DraftBanner] = []
        self.count = QLabel()
        self.message = QLabel()
        self.search = QLineEdit()
        self.search.setPlaceholderText(placeholder)
        self.search.setClearButtonEnabled(True)
        QShortcut(QKeySequence("Ctrl+F"), self, self.search.setFocus)
        QShortcut(QKeySequence("Ctrl+N"), self, on_new)
        self.debounce = QTimer(self)
        self.debounce.setSingleShot(True)
        self.debounce.setInterval(250)
        self.debounce.timeout.connect(self.apply_filter)
        self.search.textChanged.connect(self.debounce.start)

    def apply_filter(self) -> None:
        raise NotImplementedError

    def lay_out(self, heading: str, actions: list[tuple[str, Callable[[], object]]],
                filters: list[QWidget]) -> None:
        """The page's standard layout: heading, action buttons and search, filters, draft
        banners, the list, then the count and messages; then fill the list. The list gets its
        sync column, and the town a filter by 网格员."""
        filters = [*filters, *self.sync_filters()]
        top = QHBoxLayout()
        for text, handler in actions:
            button = QPushButton(text)
            button.clicked.connect(lambda _checked=False, h=handler: h())
            top.addWidget(button)
        top.addWidget(self.search, 1)
        row = QHBoxLayout()
        for widget in filters:
            row.addWidget(widget)
        row.addStretch()
        bottom = QHBoxLayout()
        bottom.addWidget(self.count)
        bottom.addWidget(self.message, 1)
        layout = QVBoxLayout(self)
        if heading:
            layout.addWidget(QLabel(f"<h2>{heading}</h2>"))
        layout.addLayout(top)
        layout.addLayout(row)
        for banner in self.banners:
            layout.addWidget(banner)
        layout.addWidget(self.view, 1)  # type: ignore[attr-defined]
        layout.addLayout(bottom)
        self.apply_filter()

    def sync_filters(self) -> list[QWidget]:
        """Add the list's sync column; for the town, return the 网格员 filter to lay out."""
        profile = self.profile  # type: ignore[attr-defined]
        self.model.show_sync(town=profile.is_town)  # type: ignore[attr-defined]
        return [self.worker_filter()] if profile.is_town else []

    def worker_filter(self) -> QComboBox:
        """全部网格员 / each worker's device / 镇里录入: which device made the records."""
        from meixian_desktop.store import devices

        store = self.store  # type: ignore[attr-defined]
        self.worker = box = QComboBox()
        box.addItem(self.tr("全部网格员"), "")
        for device in devices.all_devices(store):
            box.addItem(device.worker, device.device_id)
        box.addItem(self.tr("镇里录入"), store.device_id())
        box.currentIndexChanged.connect(
            lambda _i: self.model.set_origin(str(box.currentData() or "")))  # type: ignore[attr-defined]
        return box

    def combo(self, items: list[tuple[str, str]]) -> QComboBox:
        """A filter combo of (code, label); changing it re-filters the list."""
        box = QComboBox()
        for code, label in items:
            box.addItem(label, code)
        box.currentIndexChanged.connect(self.apply_filter)
        return box

    def banner(self, kind: str, noun: str,
               open_editor: Callable[[dict], DraftingEditor]) -> DraftBanner:
        """A draft banner for ``kind``, not counting drafts whose editor is open."""
        made = DraftBanner(self.store, kind, noun, open_editor)  # type: ignore[attr-defined]
        made.open_keys = lambda: {e.draft_key for e in self.editors}
        self.banners.append(made)
        return made

    def track(self, editor: DraftingEditor) -> DraftingEditor:
        """Show an editor; saving refreshes the list, closing updates the draft banners."""
        editor.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        editor.saved.connect(lambda _id: self.refresh())
        editor.saved.connect(lambda _id: self.records_changed.emit())
        editor.finished.connect(lambda _code, e=editor: self._closed(e))
        self.editors.append(editor)
        editor.show()
        return editor

    def _closed(self, editor: DraftingEditor) -> None:
        if editor in self.editors:
            self.editors.remove(editor)
        self.refresh()

    def shown(self) -> None:
        """Coming back to the page: show what changed meanwhile."""
        self.refresh()

    def refresh(self) -> None:
        self.apply_filter()
        for banner in self.banners:
            banner.refresh()

    def selected_id(self, nothing_selected: str) -> str | None:
        """The id of the list's current row, or None after saying ``nothing_selected``."""
        index = self.view.currentIndex()  # type: ignore[attr-defined]
        if not index.isValid():
            self.message.setText(nothing_selected)
            return None
        return str(self.model.record_id(index.row()))  # type: ignore[attr-defined]

    def show_count(self, noun: str) -> None:
        self.count.setText(self.tr("共 %1 ").replace("%1", str(self.model.rowCount())) + noun)  # type: ignore[attr-defined]
