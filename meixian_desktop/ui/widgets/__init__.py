"""Widgets the editors share (child-row tables, …)."""
