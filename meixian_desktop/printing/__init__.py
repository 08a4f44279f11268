"""Printable official forms: templates (forms/*.toml), fonts, contexts from records, PDF output.

Nothing here imports Qt; the ui previews and prints the PDFs this package writes.
"""
