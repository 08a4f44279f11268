"""meixian-hub: the town office's network endpoint for batches, receipts and the town package."""
