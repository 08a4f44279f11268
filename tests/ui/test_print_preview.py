"""The print preview: pages drawn from the PDF, printed to a real QPrinter, saved elsewhere."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from pypdf import PdfReader

from meixian_desktop.printing.batch import print_records
from meixian_desktop.store.database import Store
from tests.printing.helpers import pdf_text, river_patrol


@pytest.fixture
def long_pdf(store: Store) -> bytes:
    """A PDF held in memory, as the app keeps every print until the user saves it."""
    out = io.BytesIO()
    ids = [river_patrol(store, findings=n) for n in (1, 40, 2)]
    print_records(store, "river_patrol", ids, out, actor="李梅")
    return out.getvalue()


def _ink(label) -> int:
    """How many of a sample of pixels are not white: a drawn page has text and lines."""
    image = label.pixmap().toImage()
    return sum(1 for x in range(0, image.width(), 7) for y in range(0, image.height(), 7)
               if image.pixelColor(x, y).lightness() < 200)


def test_pages_are_drawn_as_they_come_into_view(qtbot, long_pdf: bytes) -> None:
    from meixian_desktop.ui.print_preview import PrintPreview

    preview = PrintPreview(long_pdf, "河道巡查记录表", ["缺少必填内容：签名"])
    qtbot.addWidget(preview)
    preview.show()
    pages = len(PdfReader(io.BytesIO(long_pdf)).pages)
    assert preview.page_count == pages >= 4 and preview.count.text() == f"共 {pages} 页"
    assert preview.notes.isVisible() and "签名" in preview.notes.text()
    assert 0 in preview.rendered and pages - 1 not in preview.rendered
    assert _ink(preview.page_labels[0]) > 50
    preview.scroller.verticalScrollBar().setValue(preview.scroller.verticalScrollBar().maximum())
    assert pages - 1 in preview.rendered and _ink(preview.page_labels[pages - 1]) > 20


def test_print_sends_every_page_to_the_printer(qtbot, long_pdf: bytes, tmp_path: Path) -> None:
    from PySide6.QtPrintSupport import QPrinter

    from meixian_desktop.ui.print_preview import PrintPreview

    preview = PrintPreview(long_pdf, "河道巡查记录表", [])
    qtbot.addWidget(preview)
    assert not preview.notes.isVisibleTo(preview)
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)  # a printer that writes a file
    printer.setResolution(150)
    printed = tmp_path / "printer.pdf"
    printer.setOutputFileName(str(printed))
    assert preview.print_to(printer) == preview.page_count
    assert len(PdfReader(printed).pages) == preview.page_count
    assert "已送往打印机" in preview.count.text()
    again = tmp_path / "two.pdf"
    printer.setOutputFileName(str(again))
    assert preview.print_to(printer, 2, 3) == 2 and len(PdfReader(again).pages) == 2


def test_the_print_dialog_opens_without_blocking(qtbot, long_pdf: bytes) -> None:
    from meixian_desktop.ui.print_preview import PrintPreview

    preview = PrintPreview(long_pdf, "河道巡查记录表", [])
    qtbot.addWidget(preview)
    dialog = preview.choose_printer()
    assert dialog.isVisible() and dialog.maxPage() == preview.page_count
    dialog.reject()


def test_save_as_copies_the_pdf_or_says_why_not(qtbot, long_pdf: bytes, tmp_path: Path,
                                                  monkeypatch) -> None:
    from PySide6.QtWidgets import QMessageBox

    from meixian_desktop.ui.print_preview import PrintPreview

    preview = PrintPreview(long_pdf, "河道巡查记录表", [])
    qtbot.addWidget(preview)
    target = tmp_path / "stick" / "巡查.pdf"
    target.parent.mkdir()
    assert preview.save_as(target)
    assert pdf_text(target) == pdf_text(long_pdf) and "已保存到" in preview.count.text()
    warnings: list[str] = []
    monkeypatch.setattr(QMessageBox, "warning", lambda *args: warnings.append(args[2]))
    assert not preview.save_as(tmp_path / "no-such-folder" / "x.pdf")
    assert warnings and "无法写入" in warnings[0] and "U盘" in warnings[0]
    assert not list((tmp_path).glob("no-such-folder*"))
