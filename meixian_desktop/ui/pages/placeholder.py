"""A page for a section not built yet: says plainly what it will hold."""

from __future__ import annotations

from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from meixian_desktop.ui.widgets.sections import Section


class PlaceholderPage(QWidget):
    """Shows the section's title and its plan."""

    def __init__(self, section: Section, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        title = QLabel(f"<h2>{section.label}</h2>")
        intro = self.tr("这一部分还在建设中，完成后将用来：")
        self.body = body = QLabel(intro + "<br>" + section.plan)
        body.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.addWidget(title)
        layout.addWidget(body)
        layout.addStretch()
