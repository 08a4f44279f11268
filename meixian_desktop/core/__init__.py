"""The domain: records, categories, validation, ids and clocks. Standard library only."""
