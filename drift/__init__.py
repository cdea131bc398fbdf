"""drift: what telemetry did we ship to our analytics vendors, and since when?"""

from __future__ import annotations

__version__ = "0.1.0"
