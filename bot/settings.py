"""All configuration, read once from the environment (and `.env`)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

REPOSITORY_ROOT = Path(__file__).resolve().parent.parent
MIN_SECRET_KEY = 16


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    bot_token: SecretStr | None = None
    bot_api_url: str = "https://api.telegram.org"
    database_url: str = "sqlite+aiosqlite:///pbbot.sqlite3"
    redis_url: str | None = None
    # Several bots (or test runs) can share one Redis under different prefixes.
    redis_prefix: str = "pbbot"
    campaign_file: Path = Path("examples/demo.toml")
    admin_ids: Annotated[list[int], NoDecode] = []
    admin_chat_id: int | None = None
    secret_key: SecretStr | None = None
    # The private counting key in the simple key mode (64 hex digits, `pbbot counting-key`
    # makes one). Unset: the committee makes the key with /countingkey and holds it in shares.
    counting_key: SecretStr | None = None

    webhook_url: str | None = None
    webhook_secret: SecretStr | None = None
    webhook_host: str = "0.0.0.0"
    webhook_port: int = 8080

    webhook_workers: int = Field(default=1, ge=1, le=64)  # `pbbot webhook --workers N` overrides it

    broadcast_rate: float = Field(default=25.0, gt=0)
    log_level: str = "INFO"
    log_format: Literal["text", "json"] = "text"  # json: one object per line, with update id, hashed user, duration
    # Set by `pbbot webhook --workers N` for its workers (prometheus_client's multiprocess mode):
    # /metrics on any worker then adds up every worker's counters.
    prometheus_multiproc_dir: Path | None = None

    @field_validator("admin_ids", mode="before")
    @classmethod
    def _comma_separated(cls, value: object) -> object:
        if isinstance(value, str):
            try:
                return [int(part) for part in value.replace(";", ",").split(",") if part.strip()]
            except ValueError:
                raise ValueError(
                    "write Telegram user ids as numbers separated by commas, e.g. 12345678,23456789"
                ) from None
        if isinstance(value, int):
            return [value]
        return value

    @field_validator("bot_api_url")
    @classmethod
    def _no_trailing_slash(cls, value: str) -> str:
        return value.rstrip("/")

    def campaign_path(self) -> Path:
        """The campaign file; a relative path not found here is looked up in the checkout."""
        path = self.campaign_file
        if not path.is_absolute() and not path.exists() and (REPOSITORY_ROOT / path).exists():
            return REPOSITORY_ROOT / path
        return path

    def require_token(self) -> str:
        if self.bot_token is None or not self.bot_token.get_secret_value().strip():
            raise SystemExit("BOT_TOKEN is not set: put the token from @BotFather in the environment or in .env")
        return self.bot_token.get_secret_value().strip()

    def counting_private_key(self):  # noqa: ANN201 (a nacl PrivateKey, or None)
        if self.counting_key is None or not self.counting_key.get_secret_value().strip():
            return None
        from storage.secrecy import SecrecyError, parse_private_key

        try:
            return parse_private_key(self.counting_key.get_secret_value())
        except SecrecyError:
            raise SystemExit("COUNTING_KEY must be 64 hexadecimal digits: make one with `pbbot counting-key`") from None

    def require_secret_key(self) -> bytes:
        key = self.secret_key.get_secret_value() if self.secret_key is not None else ""
        if not key.strip():
            raise SystemExit(
                "SECRET_KEY is not set: it keys the hashes of phone numbers and voters; "
                "`pbbot secret-key` prints a new one"
            )
        if len(key) < MIN_SECRET_KEY:
            raise SystemExit(
                f"SECRET_KEY is too short ({len(key)} characters; at least {MIN_SECRET_KEY}): "
                "`pbbot secret-key` prints a good one"
            )
        return key.encode()
