"""Printing: time per page of the 督促监护令 against a bare reportlab page in the same font, and
500 notices printed into one PDF.

The floor is what any PDF page with this text costs: a reportlab canvas, the same TrueType font
registered and embedded as a subset, the same characters as one notice page drawn as lines of
text on as many pages as the app made, saved as one PDF. The app's figure is
``printing.batch.print_records`` — the form's context built from the store, the template
filled, every character checked against the font, platypus layout with CJK wrapping and split
tables, the audit rows — divided by the pages it made. Both write to memory, so the disk is
not measured. The font set is found once, as the app does per print.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from io import BytesIO
from pathlib import Path
from time import perf_counter

from pypdf import PdfReader
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas

from meixian_desktop.core.profile import make_profile
from meixian_desktop.firstrun import set_up
from meixian_desktop.paths import under_home
from meixian_desktop.printing.batch import print_records
from meixian_desktop.printing.fonts import FontSet, find_fonts
from meixian_desktop.store.session import open_session
from tests.benchmarks.patrols import interleaved
from tests.benchmarks.startup import Result
from tests.printing.helpers import full_order
from tests.sync.homes import SANLI, ZHANGHAN

NOTICES = 500
LINE_CHARS = 28  # characters per line of a 16 pt body on A4 within GB/T 9704 margins

Log = Callable[[str], None] | None


def bare_pages(fonts: FontSet, text: str, pages: int = 1) -> bytes:
    """A4 pages with ``text`` in the body font, drawn line by line, in one PDF: the floor."""
    buffer = BytesIO()
    canvas = Canvas(buffer, pagesize=(210 * mm, 297 * mm))
    for _ in range(pages):
        canvas.setFont(fonts.body.name, 16)
        y = 260 * mm
        for start in range(0, len(text), LINE_CHARS):
            canvas.drawString(28 * mm, y, text[start:start + LINE_CHARS])
            y -= 28
        canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def run_printing(runs: int, *, warmup: int = 1, log: Log = None) -> list[Result]:
    """Per-page time of one notice and of 500 in one PDF, each against the bare page."""
    with tempfile.TemporaryDirectory(prefix="meixian-bench-print-") as folder:
        paths = under_home(Path(folder) / "home")
        with open_session(paths) as session:
            store = session.store
            set_up(store, paths, make_profile("worker", "李梅", "13907301234", [ZHANGHAN, SANLI]))
            order = full_order(store)
            fonts = find_fonts(None)
            one = BytesIO()
            print_records(store, "supervision_order", [order], one, actor="bench", fonts=fonts)
            first_page = PdfReader(BytesIO(one.getvalue())).pages[0].extract_text() or ""
            text = "".join(first_page.split())

            def floor(pages: int) -> Callable[[], float]:
                def bare() -> float:
                    start = perf_counter()
                    bare_pages(fonts, text, pages)
                    return (perf_counter() - start) / pages
                return bare

            def printed(copies: int) -> Callable[[], float]:
                def app() -> float:
                    out = BytesIO()
                    start = perf_counter()
                    result = print_records(store, "supervision_order", [order] * copies, out,
                                           actor="bench", fonts=fonts)
                    return (perf_counter() - start) / result.pages
                return app

            pages = len(PdfReader(BytesIO(one.getvalue())).pages)
            single, page = interleaved(printed(1), floor(pages), runs, warmup,
                                       name="print_page", log=log)
            batch, batch_floor = interleaved(printed(NOTICES), floor(pages * NOTICES),
                                             max(1, runs // 3), 0, name="print_500_notices",
                                             log=log)
    return [Result("print_page", "ms", single, page),
            Result("print_500_notices_page", "ms", batch, batch_floor)]
