"""打印预览: a printed form's pages on screen, then 打印 to a printer or 另存为 PDF.

The PDF lives in memory only: a form full of names and ID numbers is written to the disk only
where the user saves it (docs/keys.md), never to a folder of ours or a temporary file; that is
also why there is no "open in the system viewer"."""

from __future__ import annotations

from pathlib import Path

import pypdfium2 as pdfium
from PySide6.QtCore import QRect, QSize, Qt
from PySide6.QtGui import QImage, QPainter, QPixmap
from PySide6.QtPrintSupport import QPrintDialog, QPrinter
from PySide6.QtWidgets import (
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

SCREEN_DPI = 96
PRINT_DPI_LIMIT = 300  # more only makes the spool file bigger on a portable printer
POINTS_PER_INCH = 72


def page_image(document: pdfium.PdfDocument, index: int, dpi: float) -> QImage:
    """Page ``index`` rasterised at ``dpi`` on white, as a QImage that owns its pixels."""
    bitmap = document[index].render(scale=dpi / POINTS_PER_INCH, rev_byteorder=True,
                                    prefer_bgrx=True)
    image = QImage(bytes(bitmap.buffer), bitmap.width, bitmap.height, bitmap.stride,
                   QImage.Format.Format_RGBX8888)
    return image.copy()  # detach from the bytes object before it goes


def print_pdf(pdf: bytes, printer: QPrinter, pages: range | None = None) -> int:
    """Send the PDF's pages to ``printer`` (each page fills the paper, the form's own margins
    kept); returns the number of pages sent."""
    document = pdfium.PdfDocument(pdf)
    try:
        wanted = pages if pages is not None else range(len(document))
        dpi = min(printer.resolution(), PRINT_DPI_LIMIT)
        painter = QPainter()
        if not painter.begin(printer):
            raise OSError("打印机无法开始打印，请检查打印机是否连接并已开机。")
        sent = 0
        try:
            for index in wanted:
                if sent:
                    printer.newPage()
                image = page_image(document, index, dpi)
                target = painter.viewport()
                size = image.size().scaled(target.size(), Qt.AspectRatioMode.KeepAspectRatio)
                painter.drawImage(QRect(target.topLeft(), size), image)
                sent += 1
        finally:
            painter.end()
        return sent
    finally:
        document.close()


class PrintPreview(QDialog):
    """The pages of one PDF, with 打印…, 另存为 PDF…, 用系统查看器打开 and 关闭."""

    def __init__(self, pdf: bytes, title: str, notes: list[str], parent: QWidget | None = None,
                 zoom: float = 1.0, *, name: str = "") -> None:
        super().__init__(parent)
        self.pdf = pdf
        self.file_name = name or f"{title}.pdf"
        self.setWindowTitle(self.tr("打印预览 — %1").replace("%1", title))
        self.document = pdfium.PdfDocument(pdf)
        self.page_count = len(self.document)
        self.zoom = zoom
        self.page_labels: list[QLabel] = []
        self.rendered: set[int] = set()

        layout = QVBoxLayout(self)
        self.notes = QLabel("\n".join(notes))
        self.notes.setWordWrap(True)
        self.notes.setStyleSheet("background:#fff4ce; color:#5c4400; padding:6px;")
        self.notes.setVisible(bool(notes))
        layout.addWidget(self.notes)

        self.pages = QWidget()
        column = QVBoxLayout(self.pages)
        column.setSpacing(12)
        for index in range(self.page_count):
            label = QLabel()
            label.setFixedSize(self.page_size(index))
            label.setStyleSheet("background:white; border:1px solid #999;")
            label.setAccessibleName(self.tr("第 %1 页").replace("%1", str(index + 1)))
            column.addWidget(label)
            self.page_labels.append(label)
        self.scroller = QScrollArea()
        self.scroller.setWidget(self.pages)
        self.scroller.setStyleSheet("QScrollArea { background:#e8e8e8; }")
        self.scroller.verticalScrollBar().valueChanged.connect(self.render_visible)
        layout.addWidget(self.scroller, 1)

        buttons = QHBoxLayout()
        self.count = QLabel(self.tr("共 %1 页").replace("%1", str(self.page_count)))
        buttons.addWidget(self.count, 1)
        self.print_button = QPushButton(self.tr("打印…"))
        self.print_button.setDefault(True)
        self.print_button.clicked.connect(self.choose_printer)
        self.save_button = QPushButton(self.tr("另存为 PDF…"))
        self.save_button.clicked.connect(self.choose_save_path)
        close = QPushButton(self.tr("关闭"))
        close.clicked.connect(self.close)
        for button in (self.print_button, self.save_button, close):
            buttons.addWidget(button)
        layout.addLayout(buttons)
        self.resize(self.page_size(0).width() + 80, 760)
        self.render_visible()

    def page_size(self, index: int) -> QSize:
        width, height = self.document[index].get_size()
        scale = SCREEN_DPI / POINTS_PER_INCH * self.zoom
        return QSize(round(width * scale), round(height * scale))

    def render_visible(self, *_args: object) -> None:
        """Draw the pages in (or next to) the visible part; a 500-page batch opens at once."""
        top = self.scroller.verticalScrollBar().value()
        bottom = top + max(self.scroller.viewport().height(), 600)
        for index, label in enumerate(self.page_labels):
            if index in self.rendered:
                continue
            y = label.y()
            if y + label.height() >= top - 200 and y <= bottom + 200 or index == 0:
                image = page_image(self.document, index, SCREEN_DPI * self.zoom)
                label.setPixmap(QPixmap.fromImage(image))
                self.rendered.add(index)

    # -- the three ways out -----------------------------------------------------------------
    def choose_printer(self) -> QPrintDialog:
        """The system print dialog; printing starts when the user accepts it."""
        self.printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        self.printer.setFullPage(True)
        self.printer.setDocName(self.windowTitle())
        dialog = QPrintDialog(self.printer, self)
        dialog.setMinMax(1, self.page_count)
        dialog.accepted.connect(lambda: self.print_to(self.printer, dialog.fromPage(),
                                                      dialog.toPage()))
        dialog.setWindowModality(Qt.WindowModality.WindowModal)
        dialog.show()  # QPrintDialog.open() wants a slot; show() with modality does the same
        return dialog

    def print_to(self, printer: QPrinter, first: int = 0, last: int = 0) -> int:
        """Print pages ``first``..``last`` (1-based; 0 for all) and say how it went."""
        wanted = (range(first - 1, min(last, self.page_count)) if first and last
                  else range(self.page_count))
        try:
            sent = print_pdf(self.pdf, printer, wanted)
        except (OSError, pdfium.PdfiumError) as exc:
            QMessageBox.warning(self, self.tr("无法打印"), str(exc))
            return 0
        self.count.setText(self.tr("已送往打印机：%1 页").replace("%1", str(sent)))
        return sent

    def choose_save_path(self) -> QFileDialog:
        dialog = QFileDialog(self, self.tr("另存为 PDF"), str(Path.home() / self.file_name),
                             self.tr("PDF 文件 (*.pdf)"))
        dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
        dialog.setDefaultSuffix("pdf")
        dialog.fileSelected.connect(lambda name: self.save_as(Path(name)))
        dialog.open()
        return dialog

    def save_as(self, target: Path) -> bool:
        partial = target.with_name(target.name + ".part")
        try:
            partial.write_bytes(self.pdf)
            partial.replace(target)
        except OSError as exc:
            partial.unlink(missing_ok=True)
            QMessageBox.warning(self, self.tr("无法保存"),
                                self.tr("无法写入 %1：%2。请换一个文件夹或检查U盘是否已插好。")
                                .replace("%1", str(target)).replace("%2", exc.strerror or ""))
            return False
        self.count.setText(self.tr("已保存到：%1").replace("%1", str(target)))
        return True

    def closeEvent(self, event: object) -> None:  # noqa: N802 (Qt's name)
        self.document.close()
        super().closeEvent(event)  # type: ignore[arg-type]
