"""Photos of a record: thumbnails, add by button or drop, open in a window of the app's own."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QSize, Qt, Signal
from PySide6.QtGui import (
    QDragEnterEvent,
    QDropEvent,
    QIcon,
    QImageReader,
    QPixmap,
)
from PySide6.QtWidgets import (
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QListView,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from meixian_desktop.core.errors import ValidationError
from meixian_desktop.store import attachments
from meixian_desktop.store.database import Store
from meixian_desktop.store.errors import StoreError
from meixian_desktop.ui.widgets.fields import ERROR_STYLE

THUMBNAIL = QSize(96, 96)


def stored_image(path: Path, key: bytes) -> QImageReader:
    """A reader of a kept photo, opened with the data key in memory (never a clear file)."""
    try:
        data = attachments.read_stored(path, key)
    except (OSError, StoreError):
        data = b""
    buffer = QBuffer()
    buffer.setData(QByteArray(data))
    buffer.open(QIODevice.OpenModeFlag.ReadOnly)
    reader = QImageReader(buffer)
    reader.buffer = buffer  # type: ignore[attr-defined]  # kept alive with the reader
    return reader


def thumbnail(path: Path, key: bytes) -> QIcon:
    """A small picture of a photo, read scaled so a 12-megapixel photo costs little memory."""
    reader = stored_image(path, key)
    reader.setAutoTransform(True)
    size = reader.size()
    if size.isValid():
        reader.setScaledSize(size.scaled(THUMBNAIL * 2, Qt.AspectRatioMode.KeepAspectRatio))
    image = reader.read()
    return QIcon(QPixmap.fromImage(image)) if not image.isNull() else QIcon()


class PhotoStrip(QWidget):
    """Thumbnails of a record's photos; add by button or by dropping files; open by double-click."""

    changed = Signal()

    def __init__(self, store: Store, attachments_dir: Path, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.store = store
        self.attachments_dir = attachments_dir
        self.hashes: list[str] = []
        self.list = QListWidget()
        self.list.setViewMode(QListView.ViewMode.IconMode)
        self.list.setIconSize(THUMBNAIL)
        self.list.setFixedHeight(THUMBNAIL.height() + 24)
        self.list.setAcceptDrops(False)
        self.list.itemDoubleClicked.connect(self._open)
        self.message = QLabel()
        self.message.setStyleSheet(ERROR_STYLE)
        self.message.setWordWrap(True)
        add = QPushButton(self.tr("添加照片…"))
        add.clicked.connect(self.pick)
        remove = QPushButton(self.tr("移除选中照片"))
        remove.clicked.connect(self.remove_selected)
        buttons = QHBoxLayout()
        buttons.addWidget(add)
        buttons.addWidget(remove)
        buttons.addWidget(QLabel(self.tr("（也可以把照片文件拖到这里）")))
        buttons.addStretch()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.list)
        layout.addLayout(buttons)
        layout.addWidget(self.message)
        self.setAcceptDrops(True)

    def set_hashes(self, hashes: list[str]) -> None:
        self.hashes = []
        self.list.clear()
        for sha in hashes:
            self._show(sha)

    def value(self) -> list[str]:
        """The photos as a field of the record: their content hashes, in order."""
        return list(self.hashes)

    def set_value(self, value: Any) -> None:
        self.set_hashes(list(value or []))

    def _show(self, sha: str) -> None:
        self.hashes.append(sha)
        path = attachments.stored_path(self.attachments_dir, sha)
        item = QListWidgetItem(thumbnail(path, self.store.key), "")
        item.setToolTip(self.tr("双击查看原图"))
        self.list.addItem(item)

    def add_files(self, files: list[Path]) -> int:
        """Check and store each file; a bad one is named in the message, good ones still added."""
        added, refused = 0, []
        for path in files:
            try:
                with self.store.transaction() as tx:
                    sha = attachments.add_photo(tx, self.attachments_dir, path)
            except (ValidationError, StoreError) as exc:
                refused.append(exc.message)
                continue
            if sha not in self.hashes:
                self._show(sha)
                added += 1
        self.message.setText("\n".join(refused))
        if added:
            self.changed.emit()
        return added

    def pick(self) -> None:
        names, _ = QFileDialog.getOpenFileNames(
            self, self.tr("选择照片"), "", self.tr("照片 (*.jpg *.jpeg *.png *.gif *.bmp *.webp)")
        )
        if names:
            self.add_files([Path(name) for name in names])

    def remove_selected(self) -> None:
        row = self.list.currentRow()
        if row >= 0:
            self.list.takeItem(row)
            del self.hashes[row]
            self.changed.emit()

    def _open(self, item: QListWidgetItem) -> QDialog:
        """Show the photo in a window of our own: handing a viewer a file would mean writing
        the photo in clear to the disk."""
        path = attachments.stored_path(self.attachments_dir, self.hashes[self.list.row(item)])
        reader = stored_image(path, self.store.key)
        reader.setAutoTransform(True)
        image = reader.read()
        dialog = QDialog(self)
        dialog.setWindowTitle(self.tr("照片"))
        label = QLabel()
        if image.isNull():
            label.setText(self.tr("这张照片打不开（文件可能已损坏）。"))
        else:
            label.setPixmap(QPixmap.fromImage(image).scaled(
                QSize(1000, 720), Qt.AspectRatioMode.KeepAspectRatio,
                Qt.TransformationMode.SmoothTransformation))
        QVBoxLayout(dialog).addWidget(label)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()
        return dialog

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if event.mimeData().hasUrls():
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:
        files = [Path(url.toLocalFile()) for url in event.mimeData().urls() if url.isLocalFile()]
        if files:
            self.add_files(files)
            event.acceptProposedAction()
