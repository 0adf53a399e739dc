"""Each dialog's Mermaid diagram (in its module's docstring) names exactly the states of its
StatesGroup, and every state is reached from the start and leads back out."""

from __future__ import annotations

import re
from types import ModuleType

import pytest
from aiogram.fsm.state import StatesGroup

from conversations import proposal_wizard, verification, voting
from conversations.verification import register
from conversations.committee import broadcasts, edit, questions

DIALOGS: list[tuple[ModuleType, type[StatesGroup]]] = [
    (voting, voting.Voting),
    (proposal_wizard, proposal_wizard.ProposalWizard),
    (broadcasts, broadcasts.BroadcastDialog),
    (questions, questions.CommitteeDialog),
    (edit, edit.EditDialog),
    (verification, verification.Verifying),
    (register, register.ImportingRegister),
]
BLOCK = re.compile(r"```mermaid\n(.*?)```", re.S)
EDGE = re.compile(r"^\s*(\S+)\s*-->\s*([^\s:]+)", re.M)


def diagram(doc: str | None) -> list[tuple[str, str]]:
    found = BLOCK.search(doc or "")
    assert found, "no ```mermaid block in the module docstring"
    assert found.group(1).lstrip().startswith("stateDiagram")
    return EDGE.findall(found.group(1))


def reachable(edges: list[tuple[str, str]], start: str) -> set[str]:
    seen, todo = {start}, [start]
    while todo:
        node = todo.pop()
        for a, b in edges:
            if a == node and b not in seen:
                seen.add(b)
                todo.append(b)
    return seen


@pytest.mark.parametrize(("module", "group"), DIALOGS, ids=lambda d: getattr(d, "__name__", ""))
def test_the_diagram_is_the_states_group(module: ModuleType, group: type[StatesGroup]) -> None:
    edges = diagram(module.__doc__)
    drawn = {name for edge in edges for name in edge} - {"[*]"}
    declared = {state.state.split(":", 1)[1] for state in group.__all_states__}
    assert drawn == declared
    assert reachable(edges, "[*]") >= declared  # every state can be entered
    backwards = [(b, a) for a, b in edges]
    assert reachable(backwards, "[*]") >= declared  # and left


def test_a_diagram_naming_a_state_that_does_not_exist_is_caught() -> None:
    doc = "```mermaid\nstateDiagram-v2\n    [*] --> browsing\n    browsing --> voting\n    voting --> [*]\n```"
    drawn = {name for edge in diagram(doc) for name in edge} - {"[*]"}
    assert drawn != {state.state.split(":", 1)[1] for state in voting.Voting.__all_states__}
