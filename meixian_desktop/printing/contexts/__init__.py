"""The values each printed form's placeholders draw from, one module per record kind
(common.py holds what they share)."""
