"""What `pbbot run` and `pbbot webhook` check before they touch anything.

Every missing or unusable setting is reported in one go, before the database is created or
migrated, so that a first start fails in a second with the whole list instead of one problem
per attempt. The checks themselves stay where the settings are used (`Settings.require_*`,
`bot.webhook`); this module only runs them all and collects what they say.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from datetime import datetime, timezone

from pydantic import ValidationError

from bot.settings import Settings
from campaign import file_checks
from campaign.schema import CampaignError, load_campaign


def new_secret_key() -> str:
    """A SECRET_KEY: 32 random bytes from the operating system, URL-safe base64 (43 characters)."""
    return secrets.token_urlsafe(32)


def settings_problems(error: ValidationError) -> list[str]:
    """A settings error as the environment variable it comes from, in plain words."""
    return [
        f"{'_'.join(str(p) for p in e['loc']).upper()}: {file_checks.describe({**e, 'loc': ()})}"
        for e in error.errors()
    ]


def _collect(checks: list[Callable[[], object]]) -> list[str]:
    problems = []
    for check in checks:
        try:
            check()
        except SystemExit as stop:
            problems.append(str(stop.code))
    return problems


def problems(settings: Settings, command: str) -> tuple[list[str], list[str]]:
    """(problems that stop `command`, warnings), without opening the database or the network."""
    checks: list[Callable[[], object]] = [settings.require_token, settings.require_secret_key]
    if command == "webhook":
        from bot.webhook import webhook_endpoint

        checks.append(lambda: webhook_endpoint(settings))
    found = _collect(checks)
    warnings: list[str] = []
    path = settings.campaign_path()
    try:
        campaign = load_campaign(path)
    except CampaignError as error:
        found += [
            f"CAMPAIGN_FILE: {p}" if p.startswith(str(path)) else f"CAMPAIGN_FILE {path}: {p}" for p in error.problems
        ]
    else:
        warnings += [f"CAMPAIGN_FILE {path}: {w}" for w in file_checks.warnings(campaign, datetime.now(timezone.utc))]
    return found, warnings
