"""Read and write the Pabulib `.pb` format (https://pabulib.org/format).

A file has three sections, each a title line, a header line and `;`-separated rows:
META (key;value), PROJECTS (project_id;cost;...) and VOTES (voter_id;vote;...).
Lists inside a field (the approved ids, the points) are comma-separated.

The reader is lenient about layout the way real files need (`\\r\\n`, spaces around fields,
a BOM, blank lines) but strict about meaning: a missing column, a duplicate project, a points
list that does not match its votes, a negative cost or points raise `PbError`, which names the
line and the section. The writer is strict (`\\n`, no BOM, no blank lines), so exported ballots
read back as the same election.
"""

from __future__ import annotations

import csv
import gc
import io
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import NamedTuple

from .tally import Ballot, Project

Number = int | Decimal

SECTIONS = ("META", "PROJECTS", "VOTES")
# Columns with a meaning of their own; every other column is kept as text in `extra`.
PROJECT_FIELDS = ("project_id", "cost", "votes", "score", "name", "selected")
VOTE_FIELDS = ("voter_id", "vote", "points")
# Ballots that carry points rather than plain approvals.
POINT_VOTE_TYPES = frozenset({"cumulative", "scoring"})
# META keys that parametrise the count, by the option name tally.select_winners takes.
# (max_sum_cost, min_length, ... constrain what a ballot may hold, not how it is counted.)
TALLY_OPTIONS = {"min_project_score_threshold": "threshold"}


class PbError(ValueError):
    """A malformed file: where (line number, section) and what is wrong, in one line."""

    def __init__(self, line: int, section: str, problem: str) -> None:
        super().__init__(f"line {line}, {section}: {problem}")
        self.line, self.section, self.problem = line, section, problem


@dataclass(frozen=True)
class PbProject:
    id: str
    cost: Number
    votes: int | None = None
    score: Number | None = None
    name: str = ""
    selected: int | None = None
    # Other columns (category, target, ...), only the non-empty ones: an empty cell and a
    # missing one mean the same thing, which keeps write/read round trips exact.
    extra: dict[str, str] = field(default_factory=dict)


class PbVote(NamedTuple):
    """One voter's row. A NamedTuple rather than a dataclass: big files have 100k+ rows."""

    voter_id: str
    vote: tuple[str, ...]
    points: tuple[Number, ...] | None = None
    extra: dict[str, str] = {}


@dataclass(frozen=True)
class PbElection:
    meta: dict[str, str]
    projects: dict[str, PbProject]
    votes: list[PbVote]
    # Where things were read: "META", "PROJECTS", "VOTES" (the title lines) and "META:<key>";
    # empty for an election built in code. Only for error messages: not part of equality.
    lines: dict[str, int] = field(default_factory=dict, compare=False, repr=False)

    def where(self, key: str) -> int:
        """The line `key` was read on (0 when unknown)."""
        return self.lines.get(key, self.lines.get(key.partition(":")[0], 0))

    @property
    def budget(self) -> Number:
        if "budget" not in self.meta:
            raise PbError(self.where("META"), "META", "no 'budget' row")
        return _number(self.meta["budget"], self.where("META:budget"), "META", "the budget")

    @property
    def rule(self) -> str:
        return self.meta.get("rule", "")

    @property
    def vote_type(self) -> str:
        return self.meta.get("vote_type", "approval")

    def tally_options(self) -> dict[str, Number]:
        present = (key for key in TALLY_OPTIONS if key in self.meta)
        return {TALLY_OPTIONS[key]: parse_number(self.meta[key]) for key in present}

    def tally_projects(self) -> list[Project]:
        return [Project(p.id, p.cost) for p in self.projects.values()]

    def ballots(self) -> list[Ballot]:
        """Ballots as the tally takes them: id->points for point votes, else the ids."""
        if self.vote_type in POINT_VOTE_TYPES:
            # A point ballot written without its points gives each project one point.
            return [dict(zip(v.vote, v.points or [1] * len(v.vote))) for v in self.votes]
        return [v.vote for v in self.votes]

    def approvals(self) -> list[tuple[str, ...]]:
        """The projects each voter supports, ignoring how many points they gave."""
        return [v.vote for v in self.votes]


def parse_number(text: str) -> Number:
    """An int when the text is whole, else an exact Decimal (costs must not go through float)."""
    try:
        return int(text)
    except ValueError:
        pass
    try:
        number = Decimal(text)
    except InvalidOperation:
        number = Decimal("NaN")
    if not number.is_finite():
        raise ValueError(f"not a number: {text!r}")
    return number


def read_pb(source: str | Path) -> PbElection:
    """Read a `.pb` file, given as a path or as the text itself.

    A str containing a line break is taken as the text; any other str is a path.
    """
    if isinstance(source, Path) or "\n" not in source:
        text = Path(source).read_text(encoding="utf-8-sig")
    else:
        text = source.removeprefix("\ufeff")
    with _cyclic_gc_paused():
        return _parse(text)


def _parse(text: str) -> PbElection:
    meta: dict[str, str] = {}
    projects: dict[str, PbProject] = {}
    votes: list[PbVote] = []
    lines: dict[str, int] = {}
    for section in _sections(text):
        if section.title in lines:
            raise PbError(
                section.line,
                section.title,
                f"a second {section.title} section (the first is on line {lines[section.title]})",
            )
        lines[section.title] = section.line
        if section.title == "META":
            for row, line in zip(section.rows, section.row_lines):
                meta[row[0]] = row[1] if len(row) > 1 else ""
                lines["META:" + row[0]] = line
        elif section.title == "PROJECTS":
            projects = _projects_from(section)
        else:
            if "PROJECTS" not in lines:
                raise PbError(section.line, "VOTES", "the PROJECTS section must come before VOTES")
            votes = list(_votes_from(section, projects))
    return PbElection(meta, projects, votes, lines)


@contextmanager
def _cyclic_gc_paused() -> Iterator[None]:
    # Reading allocates a tuple and a dict per voter, none in a cycle; the cyclic GC would
    # keep rescanning them all (a third of the time on a 130k-voter file).
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def write_pb(election: PbElection, path: str | Path | None = None) -> str:
    """The election as `.pb` text; also written to `path` (UTF-8, no BOM) when given."""
    out = io.StringIO()
    csv.writer(out, delimiter=";", lineterminator="\n").writerows(_rows(election))
    text = out.getvalue()
    if path is not None:
        Path(path).write_text(text, encoding="utf-8", newline="")
    return text


# --- reading -------------------------------------------------------------------------


class _Section(NamedTuple):
    title: str
    line: int  # of the title
    header: list[str]
    header_line: int
    rows: list[list[str]]
    row_lines: list[int]


def _sections(text: str) -> Iterator[_Section]:
    """The sections in file order, fields stripped, blank lines dropped, line numbers kept."""
    section: _Section | None = None
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=";")
    for raw in reader:
        row = list(map(str.strip, raw))
        if not any(row):
            continue
        title = row[0].upper()
        if title in SECTIONS and not any(row[1:]):
            if section is not None:
                yield section
            section = _Section(title, reader.line_num, [], 0, [], [])
        elif section is None:
            raise PbError(
                reader.line_num, "start of file", f"expected a META, PROJECTS or VOTES line, got {';'.join(row)!r}"
            )
        elif not section.header:
            section.header.extend(row)
            section = section._replace(header_line=reader.line_num)
        else:
            section.rows.append(row)
            section.row_lines.append(reader.line_num)
    if section is not None:
        yield section


def _column(section: _Section, name: str) -> int:
    if name not in section.header:
        where = section.header_line or section.line
        raise PbError(where, section.title, f"no {name!r} column (the header is {';'.join(section.header)!r})")
    return section.header.index(name)


def _number(text: str, line: int, section: str, what: str) -> Number:
    try:
        number = parse_number(text)
    except ValueError:
        raise PbError(line, section, f"{what} is not a number: {text!r}") from None
    if number < 0:
        raise PbError(line, section, f"{what} cannot be negative: {text}")
    return number


def _projects_from(section: _Section) -> dict[str, PbProject]:
    header = section.header
    _column(section, "project_id")
    _column(section, "cost")
    projects: dict[str, PbProject] = {}
    first_line: dict[str, int] = {}
    for row, line in zip(section.rows, section.row_lines):
        cells = dict(zip(header, row))
        project_id = cells.get("project_id", "")
        if not project_id:
            raise PbError(line, "PROJECTS", "a project without an id")
        if project_id in projects:
            raise PbError(
                line, "PROJECTS", f"project {project_id!r} appears twice (first on line {first_line[project_id]})"
            )
        what = f"the cost of project {project_id!r}"
        projects[project_id] = PbProject(
            id=project_id,
            cost=_number(cells.get("cost", ""), line, "PROJECTS", what),
            votes=int(_number(cells["votes"], line, "PROJECTS", "votes")) if cells.get("votes") else None,
            score=parse_number(cells["score"]) if cells.get("score") else None,
            name=cells.get("name", ""),
            selected=int(_number(cells["selected"], line, "PROJECTS", "selected")) if cells.get("selected") else None,
            extra={k: v for k, v in cells.items() if k not in PROJECT_FIELDS and v},
        )
        first_line[project_id] = line
    return projects


def _votes_from(section: _Section, projects: Mapping[str, PbProject]) -> Iterator[PbVote]:
    header = section.header
    vote_at = _column(section, "vote")
    points_at = header.index("points") if "points" in header else None
    extra_names = [name for name in header if name not in VOTE_FIELDS]
    extra_at = [header.index(name) for name in extra_names]
    for row, line in zip(section.rows, section.row_lines):
        if len(row) < len(header):
            row = row + [""] * (len(header) - len(row))
        vote_cell = row[vote_at]
        vote = tuple(vote_cell.split(",")) if vote_cell else ()
        for project_id in vote:
            if project_id not in projects:
                raise PbError(line, "VOTES", f"voter {row[0]!r} votes for {project_id!r}, which is not in PROJECTS")
        points_cell = row[points_at] if points_at is not None else ""
        points = _points(points_cell, vote, line, row[0]) if points_cell else None
        yield PbVote(row[0], vote, points, _non_empty(extra_names, [row[i] for i in extra_at]))


def _points(cell: str, vote: tuple[str, ...], line: int, voter: str) -> tuple[Number, ...]:
    points = tuple(_number(text, line, "VOTES", f"the points of voter {voter!r}") for text in cell.split(","))
    if len(points) != len(vote):
        raise PbError(line, "VOTES", f"voter {voter!r} gives {len(points)} points for {len(vote)} projects")
    if len(set(vote)) != len(vote):
        twice = next(pid for pid in vote if vote.count(pid) > 1)
        raise PbError(line, "VOTES", f"voter {voter!r} gives points to project {twice!r} twice")
    return points


def _non_empty(names: list[str], cells: list[str]) -> dict[str, str]:
    if all(cells):  # the common case, and the faster way to build it
        return dict(zip(names, cells))
    return {name: cell for name, cell in zip(names, cells) if cell}


# --- writing -------------------------------------------------------------------------


def _rows(election: PbElection) -> Iterator[list[str]]:
    yield from _section("META", ["key", "value"], ([k, v] for k, v in election.meta.items()))
    projects = election.projects.values()
    project_header = _project_header(projects)
    project_rows = (_project_row(project_header, p) for p in projects)
    yield from _section("PROJECTS", project_header, project_rows)
    vote_header = _vote_header(election.votes)
    yield from _section("VOTES", vote_header, (_vote_row(vote_header, v) for v in election.votes))


def _section(title: str, header: list[str], rows: Iterable[list[str]]) -> Iterator[list[str]]:
    yield [title]
    yield header
    for row in rows:
        for cell in row:
            if "\n" in cell or "\r" in cell:
                raise ValueError(f"{title}: a field cannot contain a line break: {cell!r}")
        if row[0].strip().upper() in SECTIONS and not any(cell.strip() for cell in row[1:]):
            raise ValueError(f"{title}: the row {row!r} would read as a section title")
        yield row


def _extra_columns(rows: Iterable[Mapping[str, str]]) -> list[str]:
    return list(dict.fromkeys(key for extra in rows for key in extra))


def _project_header(projects: Iterable[PbProject]) -> list[str]:
    projects = list(projects)
    optional = [
        ("votes", any(p.votes is not None for p in projects)),
        ("score", any(p.score is not None for p in projects)),
        ("name", any(p.name for p in projects)),
        ("selected", any(p.selected is not None for p in projects)),
    ]
    return (
        ["project_id", "cost"]
        + [name for name, present in optional if present]
        + _extra_columns(p.extra for p in projects)
    )


def _project_row(header: list[str], project: PbProject) -> list[str]:
    _check_list_item(project.id, "project id")
    known = {
        "project_id": project.id,
        "cost": _format_number(project.cost),
        "votes": _format_number(project.votes),
        "score": _format_number(project.score),
        "name": project.name,
        "selected": _format_number(project.selected),
    }
    return [known[col] if col in known else project.extra.get(col, "") for col in header]


def _vote_header(votes: list[PbVote]) -> list[str]:
    with_points = ["points"] if any(v.points is not None for v in votes) else []
    return ["voter_id", "vote"] + with_points + _extra_columns(v.extra for v in votes)


def _vote_row(header: list[str], vote: PbVote) -> list[str]:
    if vote.points is not None and len(vote.points) != len(vote.vote):
        raise ValueError(f"voter {vote.voter_id}: {len(vote.points)} points for {len(vote.vote)} projects")
    for project_id in vote.vote:
        _check_list_item(project_id, "project id")
    known = {
        "voter_id": vote.voter_id,
        "vote": ",".join(vote.vote),
        "points": ",".join(map(_format_number, vote.points or ())),
    }
    return [known[col] if col in known else vote.extra.get(col, "") for col in header]


def _check_list_item(value: str, what: str) -> None:
    # Ids end up inside comma-separated lists, so a comma (or nothing) would corrupt them.
    if not value or "," in value or value != value.strip():
        raise ValueError(f"invalid {what}: {value!r}")


def _format_number(value: Number | None) -> str:
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return format(value, "f")
    return str(value)
