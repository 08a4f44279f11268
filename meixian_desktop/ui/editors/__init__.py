"""The record editors: one dialog per record kind on the shared DraftingEditor (drafts kept
as typed, checked by core as typed, saved whole), and the dialogs for a record's steps."""
