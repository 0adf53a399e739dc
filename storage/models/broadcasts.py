"""Broadcasts, their deliveries, and announcements already queued (filled by the calendar work)."""
from __future__ import annotations
