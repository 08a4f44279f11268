"""Everything Qt: main window, pages, models, dialogs and background tasks."""
