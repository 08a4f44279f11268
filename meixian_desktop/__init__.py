"""梅仙网格通 (meixian_desktop): version and names only."""

__version__ = "0.1.0"
APP_NAME = "梅仙网格通"
APP_ID = "meixian_desktop"
