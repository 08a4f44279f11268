"""The town revoked this laptop: tell the worker, destroy the data key, close the app."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QApplication, QMessageBox, QWidget

from meixian_desktop.store import vault
from meixian_desktop.store.errors import StoreError


def tell_and_destroy(parent: QWidget, data_dir: Path, why: str) -> QMessageBox:
    """Show why (the town's words); when the worker closes the message, the key is destroyed
    and the app quits. Returns the message box (open, not blocking)."""
    box = QMessageBox(QMessageBox.Icon.Critical, "这台电脑已被停用", why,
                      QMessageBox.StandardButton.Ok, parent)

    def destroy(_result: int) -> None:
        try:
            vault.destroy(data_dir)
        except StoreError as exc:  # the key is forgotten all the same; say what is left
            QMessageBox.warning(parent, "这台电脑已被停用", exc.message +
                                "请把电脑交给镇综治中心处理。")
        app = QApplication.instance()
        if app is not None:
            app.quit()

    box.finished.connect(destroy)
    box.open()
    return box
