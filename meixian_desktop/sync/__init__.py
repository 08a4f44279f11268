"""Sync: device keys, batch files, receipts and transports."""
