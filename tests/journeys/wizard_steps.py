"""A resident's way through the proposal wizard, step by step, for the journeys."""

from __future__ import annotations

from tests.emulator import Resident

TITLE = "A bench on the church square"
SUMMARY = "A wooden bench in front of the church, for the elders."
DESCRIPTION = "Many elderly residents walk to the church square and have nowhere to sit. A solid oak bench would help."


async def fill_until_cost(resident: Resident) -> None:
    await resident.send("/propose")
    await resident.send(TITLE)
    await resident.send(SUMMARY)
    await resident.send(DESCRIPTION)
    await resident.press("Environment" if resident.user.get("language_code") == "en" else "Environnement")
    await resident.send("Place de l'Église")


async def submit_project(resident: Resident, cost: str = "1500") -> int:
    """Goes through every question and submits; returns the project number."""
    await fill_until_cost(resident)
    await resident.send(cost)
    await resident.send("/skip")
    replies = await resident.press("✅")
    text = replies.text
    start = text.index("#") + 1
    end = start
    while end < len(text) and text[end].isdigit():
        end += 1
    return int(text[start:end])
