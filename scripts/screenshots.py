"""Screenshots of every main page on the demo data, for a worker and for the town, and the first
page of every printed form: `python scripts/screenshots.py [--out docs/screenshots]`.

Runs offscreen (no display needed); Chinese shows when a CJK font is installed (on Debian:
fonts-wqy-microhei). Each run builds fresh demo homes in a temporary folder.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from datetime import date
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

SIZE = (1366, 768)  # the grid worker's laptop
WORKER_PAGES = ("today", "patrol", "mediation", "visit", "order", "print", "sync", "settings")
TOWN_PAGES = ("today", "patrol", "sync")


def _homes(root: Path) -> tuple[object, object]:
    from meixian_desktop.demo import fill_demo
    from meixian_desktop.demo.places import DEMO_VILLAGES
    from tests.sync.homes import connect, make_home

    town = make_home(root / "town", "town", "梅仙镇人民政府", [])
    # The demo fills the demo worker's villages: the town assigns the laptop those, so none of
    # its records falls outside the villages it may write.
    worker = make_home(root / "worker", "worker", "李梅", list(DEMO_VILLAGES))
    connect(town, worker, root / "stick")
    fill_demo(worker.session)
    made = worker.export(root / "stick")
    town.take(made.path, approve_new=True)
    return town, worker


def _window(home: object) -> object:
    from meixian_desktop.ui.main_window import MainWindow
    from meixian_desktop.ui.tasks import run_now

    window = MainWindow(home.session, home.profile, runner=run_now)  # type: ignore[attr-defined]
    window.resize(*SIZE)
    window.show()
    return window


def shoot_pages(home: object, role: str, pages: tuple[str, ...], out: Path, app: object) -> list[Path]:
    window = _window(home)
    made = []
    for key in pages:
        window.show_section(key)  # type: ignore[attr-defined]
        app.processEvents()  # type: ignore[attr-defined]
        path = out / f"{role}-{key}.png"
        window.grab().save(str(path))  # type: ignore[attr-defined]
        made.append(path)
    window.close()  # type: ignore[attr-defined]
    return made


def shoot_forms(home: object, out: Path) -> list[Path]:
    """The first page of each form, printed from a demo record (and this month's ledger)."""
    import pypdfium2 as pdfium

    from meixian_desktop.printing.batch import candidates
    from meixian_desktop.printing.forms import FORMS, PrintError, print_record
    from meixian_desktop.printing.ledger import print_ledger

    store = home.store  # type: ignore[attr-defined]
    made = []
    pdfs = Path(tempfile.mkdtemp())
    for name in FORMS:
        for candidate in candidates(store, name, "2000-01-01", "2100-12-31"):
            try:
                print_record(store, name, candidate.id, pdfs / f"{name}.pdf", actor="截图")
            except PrintError:
                continue
            break
        else:
            print(f"no demo record prints as {name}", file=sys.stderr)
            continue
        made.append(_first_page(pdfium, pdfs / f"{name}.pdf", out / f"form-{name}.png"))
    print_ledger(store, date.today().replace(day=1), pdfs / "ledger.pdf", actor="截图")
    made.append(_first_page(pdfium, pdfs / "ledger.pdf", out / "form-ledger.png"))
    return made


def _first_page(pdfium: object, pdf: Path, png: Path) -> Path:
    from meixian_desktop.ui.print_preview import page_image

    document = pdfium.PdfDocument(str(pdf))  # type: ignore[attr-defined]
    try:
        page_image(document, 0, 110).save(str(png))
    finally:
        document.close()
    return png


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", type=Path, default=Path("docs/screenshots"))
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    from meixian_desktop.ui.application import make_application

    app = make_application()
    with tempfile.TemporaryDirectory(prefix="meixian-shots-") as folder:
        town, worker = _homes(Path(folder))
        made = shoot_pages(worker, "worker", WORKER_PAGES, args.out, app)
        made += shoot_pages(town, "town", TOWN_PAGES, args.out, app)
        made += shoot_forms(worker, args.out)
        for home in (worker, town):
            home.session.close()  # type: ignore[attr-defined]
    for path in made:
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
