"""Verification of residents and their ballots (filled by the voting work)."""
from __future__ import annotations
