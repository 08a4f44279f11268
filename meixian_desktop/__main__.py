"""python -m meixian_desktop."""

import sys

from meixian_desktop.app import main

sys.exit(main())
