"""The campaign file: what a town decides about its participatory budget.

A TOML file validated into `Campaign`. Calendar values are either TOML datetimes
(local times are read in the campaign's time zone) or offsets such as "+7d" / "-2d 18:00"
counted from midnight of the day the file is loaded: that is how `examples/demo.toml`
stays current whatever the date.
"""

from __future__ import annotations

import re
import tomllib
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Annotated, Literal, get_args
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)

from campaign import file_checks
from campaign.ballot_types import BALLOT_TYPES
from campaign.calendar import PHASE_STARTS

SUPPORTED_LANGUAGES = ("fr", "en")  # the languages pbbot ships catalogs for today
LanguageCode = Annotated[str, Field(pattern=r"^[a-z]{2,3}$")]
Audience = Literal["all", "verified", "authors", "not_voted"]
AUDIENCES: tuple[str, ...] = get_args(Audience)  # the committee's broadcast buttons, in this order

_OFFSET = re.compile(r"^\s*([+-])\s*(\d+)\s*d(?:ays?)?(?:\s+(\d{1,2}):(\d{2}))?\s*$")


class CampaignError(ValueError):
    """A campaign file that cannot be used; `problems` name the field and what is wrong."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("\n".join(problems))


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


Localized = dict[str, str]


def pick(texts: Localized, language: str, fallback: str = "en") -> str:
    """The text in `language`, else the fallback language, else any."""
    return texts.get(language) or texts.get(fallback) or next(iter(texts.values()), "")


class Category(_Model):
    id: Annotated[str, Field(pattern=r"^[a-z0-9_-]{1,32}$")]
    names: Localized


class CostBounds(_Model):
    minimum: Decimal = Decimal(0)
    maximum: Decimal | None = None


class Calendar(_Model):
    proposals_open: datetime
    proposals_close: datetime
    review_close: datetime
    voting_open: datetime
    voting_close: datetime
    results: datetime

    @model_validator(mode="after")
    def _in_order(self) -> "Calendar":
        fields = ["proposals_open", "proposals_close", "review_close", "voting_open", "voting_close", "results"]
        for earlier, later in zip(fields, fields[1:]):
            if getattr(self, later) < getattr(self, earlier):
                raise ValueError(f"{later} ({getattr(self, later):%Y-%m-%d %H:%M}) is before {earlier}")
        return self


class Ballot(_Model):
    type: str = "single"  # a name in campaign.ballot_types.BALLOT_TYPES
    max_choices: int = Field(default=1, ge=1)
    points: int = Field(default=10, ge=1)  # what each resident shares on a cumulative ballot
    changeable: bool = False

    @field_validator("type")
    @classmethod
    def _known_type(cls, value: str) -> str:
        if value not in BALLOT_TYPES:
            raise ValueError(f"unknown ballot type {value!r}; expected one of: {', '.join(BALLOT_TYPES)}")
        return value

    @model_validator(mode="after")
    def _fits_its_type(self) -> "Ballot":
        problem = BALLOT_TYPES[self.type].check(self)
        if problem:
            raise ValueError(problem)
        return self


class Outcome(_Model):
    rule: Literal[
        "most-voted",
        "greedy",
        "greedy-no-skip",
        "greedy-threshold",
        "greedy-per-cost",
        "equalshares",
        "equalshares/add1",
        "equalshares/add1-comparison",
        "equalshares/greedy",
        "equalshares/add1/greedy",
        "sequential-phragmen",
    ] = "greedy"
    threshold: int = Field(default=0, ge=0)


class Eligibility(_Model):
    minimum_age: int | None = Field(default=None, ge=0, le=120)
    residency: str | None = None
    verify_to_propose: bool = False


class Verification(_Model):
    methods: list[Literal["phone", "code", "committee"]] = ["phone"]
    phone_prefixes: list[Annotated[str, Field(pattern=r"^\+\d{1,4}$")]] = []
    use_register: bool = False

    @model_validator(mode="after")
    def _phone_needs_prefixes(self) -> "Verification":
        # Without prefixes any number in the world would verify as a resident of the town.
        if "phone" in self.methods and not self.phone_prefixes:
            raise ValueError(
                "the phone method needs phone_prefixes, the country calling codes of the town's numbers "
                '(for example phone_prefixes = ["+32"]): without them a phone number from anywhere in the world '
                "verifies as a resident. Add them, or verify by code or committee only."
            )
        return self


class Area(_Model):
    """The town's bounding box, to refuse a map pin dropped on another continent."""

    min_lat: float = Field(ge=-90, le=90)
    min_lon: float = Field(ge=-180, le=180)
    max_lat: float = Field(ge=-90, le=90)
    max_lon: float = Field(ge=-180, le=180)


class Article(_Model):
    id: Annotated[str, Field(pattern=r"^[a-z0-9_-]{1,32}$")]
    title: Localized
    body: Localized


class Reminder(_Model):
    id: Annotated[str, Field(pattern=r"^[a-z0-9_-]{1,32}$")]
    before: Literal["proposals_close", "voting_close", "voting_open", "proposals_open", "results"]
    days: float = Field(gt=0)
    audience: Audience = "all"
    text: Localized


class Campaign(_Model):
    id: Annotated[str, Field(pattern=r"^[a-z0-9_-]{1,64}$")]
    name: Localized
    town: str
    population: int = Field(gt=0)
    envelope: Decimal = Field(gt=0)
    currency: str = Field(default="EUR", pattern=r"^[A-Z]{3}$")
    timezone: str = "Europe/Brussels"
    # Any language the bot has a catalog for (bot/locales/<code>; English needs none): the bot
    # refuses to start with a language it cannot speak (bot/i18n.py), so adding one is one file.
    languages: list[LanguageCode] = ["fr", "en"]
    default_language: LanguageCode = "fr"
    description: Localized
    categories: list[Category] = Field(min_length=1)
    cost: CostBounds = CostBounds()
    calendar: Calendar
    ballot: Ballot = Ballot()
    outcome: Outcome = Outcome()
    eligibility: Eligibility = Eligibility()
    # Validated even when the file has no [verification]: the default (phone) needs prefixes.
    verification: Verification = Field(default_factory=dict, validate_default=True)  # type: ignore[arg-type]
    area: Area | None = None
    articles: list[Article] = []
    reminders: list[Reminder] = []
    announcements: dict[str, Localized] = {}

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown time zone {value!r} (use a name like Europe/Brussels)") from None
        return value

    @field_validator("name", "description")
    @classmethod
    def _not_empty(cls, value: Localized, info: ValidationInfo) -> Localized:
        if not value:
            raise ValueError('give at least one language, e.g. fr = "..."')
        return value

    @field_validator("announcements")
    @classmethod
    def _known_announcements(cls, value: dict[str, Localized]) -> dict[str, Localized]:
        known = set(PHASE_STARTS.values()) | {"finalists"}
        unknown = sorted(set(value) - known)
        if unknown:
            raise ValueError(f"unknown announcement {', '.join(unknown)}; known: {', '.join(sorted(known))}")
        return value

    @model_validator(mode="after")
    def _coherent(self) -> "Campaign":
        if self.default_language not in self.languages:
            raise ValueError(f"default_language {self.default_language!r} is not in languages")
        ids = [c.id for c in self.categories]
        if len(set(ids)) != len(ids):
            raise ValueError("categories: two categories have the same id")
        maximum = self.cost.maximum
        if maximum is not None and maximum > self.envelope:
            raise ValueError(f"cost.maximum ({maximum}) is above the envelope ({self.envelope})")
        if maximum is not None and self.cost.minimum > maximum:
            raise ValueError("cost.minimum is above cost.maximum")
        if self.ballot.type == "single" and self.outcome.rule.startswith("equalshares"):
            raise ValueError("outcome.rule: equal shares needs approval ballots, not single")
        if self.area and (self.area.min_lat >= self.area.max_lat or self.area.min_lon >= self.area.max_lon):
            raise ValueError("area: min_lat/min_lon must be below max_lat/max_lon")
        return self

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def max_cost(self) -> Decimal:
        return self.cost.maximum if self.cost.maximum is not None else self.envelope

    def category(self, category_id: str) -> Category | None:
        return next((c for c in self.categories if c.id == category_id), None)


def _resolve_moment(value: object, zone: ZoneInfo, today: date) -> object:
    """A TOML datetime, date or "+Nd [HH:MM]" offset as an aware datetime."""
    if isinstance(value, str):
        match = _OFFSET.match(value)
        if not match:
            return value  # pydantic reports it
        sign, days, hour, minute = match.groups()
        delta = timedelta(days=int(days)) * (1 if sign == "+" else -1)
        clock = time(int(hour or 0), int(minute or 0))
        return datetime.combine(today + delta, clock, tzinfo=zone)
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=zone)
    if isinstance(value, date):
        return datetime.combine(value, time(0, 0), tzinfo=zone)
    return value


def parse_campaign(data: dict, *, now: datetime | None = None) -> Campaign:
    """Validate a decoded campaign file; raise CampaignError naming each bad field."""
    data = dict(data)
    zone_name = data.get("timezone", "Europe/Brussels")
    try:
        zone = ZoneInfo(str(zone_name))
    except (ZoneInfoNotFoundError, ValueError):
        zone = ZoneInfo("UTC")  # the validator reports the bad zone
    today = (now.astimezone(zone) if now else datetime.now(zone)).date()
    calendar = data.get("calendar")
    if isinstance(calendar, dict):
        data["calendar"] = {key: _resolve_moment(value, zone, today) for key, value in calendar.items()}
    try:
        campaign = Campaign.model_validate(data)
    except ValidationError as error:
        raise CampaignError([file_checks.describe(e) for e in error.errors()]) from None
    if problems := file_checks.problems(campaign):
        raise CampaignError(problems)
    return campaign


def load_campaign(path: str | Path, *, now: datetime | None = None) -> Campaign:
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise CampaignError([f"{path}: cannot be read ({error.strerror or error})"]) from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise CampaignError([f"{path}: not valid TOML: {error}"]) from None
    return parse_campaign(data, now=now)
