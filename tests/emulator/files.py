"""Files: what users upload (so getFile and downloads work) and the photos and documents the bot sends."""

from __future__ import annotations

import itertools
import secrets
from dataclasses import dataclass
from typing import Any

from aiohttp import web

from bot.fake_telegram import FakeTelegram, SentMessage

from .faults import bad_request

JSON = dict[str, Any]


@dataclass
class Upload:
    """A file that came as a multipart part."""

    content: bytes
    filename: str | None
    content_type: str | None = None


@dataclass
class StoredFile:
    file_id: str
    file_unique_id: str
    file_path: str
    content: bytes | None  # None for files known only by URL
    filename: str | None = None
    mime_type: str | None = None
    url: str | None = None

    @property
    def size(self) -> int:
        return len(self.content) if self.content is not None else 0


class Files(FakeTelegram):
    """The emulator's file store (a base of BotAPIEmulator)."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.files: dict[str, StoredFile] = {}
        self._files_by_path: dict[str, StoredFile] = {}
        self._file_counter = itertools.count(1)

    def add_file(
        self,
        content: bytes | None,
        filename: str | None = None,
        *,
        mime_type: str | None = None,
        folder: str = "documents",
        file_id: str | None = None,
        url: str | None = None,
        register: bool = True,
    ) -> StoredFile:
        """Register a file (as if uploaded by a user) so getFile and downloads work."""
        n = next(self._file_counter)
        ext = ""
        if filename and "." in filename:
            ext = "." + filename.rsplit(".", 1)[1]
        elif folder == "photos":
            ext = ".jpg"
        stored = StoredFile(
            file_id=file_id or f"{folder[:2].upper()}AAC{n:06d}{secrets.token_urlsafe(12)}",
            file_unique_id=f"AQAD{n:06d}",
            file_path=f"{folder}/file_{n}{ext}",
            content=content,
            filename=filename,
            mime_type=mime_type,
            url=url,
        )
        if register:
            self.files[stored.file_id] = stored
            self._files_by_path[stored.file_path] = stored
        return stored

    def photo_sizes(self, stored: StoredFile, width: int = 800, height: int = 600) -> list[JSON]:
        """PhotoSize list as Telegram sends it: a thumbnail and the full size."""
        thumb_w = 90
        thumb_h = max(1, height * thumb_w // max(width, 1))
        thumb = self.add_file(stored.content, stored.filename, folder="photos", register=self.keep_messages)
        return [
            {
                "file_id": thumb.file_id,
                "file_unique_id": thumb.file_unique_id,
                "width": thumb_w,
                "height": thumb_h,
                "file_size": thumb.size,
            },
            {
                "file_id": stored.file_id,
                "file_unique_id": stored.file_unique_id,
                "width": width,
                "height": height,
                "file_size": stored.size,
            },
        ]

    def _send_file(self, kind: str, chat_id: int, p: JSON) -> SentMessage:
        """sendPhoto or sendDocument: an upload, a known file_id or a URL."""
        value = p.get(kind)
        folder = "photos" if kind == "photo" else f"{kind}s"
        keep = self.keep_messages  # bench mode registers nothing, so memory stays flat
        if isinstance(value, Upload):
            if not value.content:
                raise bad_request("file must be non-empty")
            stored = self.add_file(
                value.content if keep else None,
                value.filename,
                mime_type=value.content_type,
                folder=folder,
                register=keep,
            )
            file: bytes | str = value.content if keep else b""
        elif isinstance(value, str) and value in self.files:
            stored, file = self.files[value], value
        elif isinstance(value, str) and (value.startswith(("http://", "https://")) or (value and not keep)):
            url = value if value.startswith("http") else None
            stored = self.add_file(None, value.rsplit("/", 1)[-1], folder=folder, url=url, register=keep)
            file = value
        else:
            raise bad_request("wrong file identifier/HTTP URL specified")
        if kind == "photo":
            media_json: Any = self.photo_sizes(stored)
        else:
            media_json = {
                "file_id": stored.file_id,
                "file_unique_id": stored.file_unique_id,
                "file_size": stored.size,
                "file_name": stored.filename or "document",
                "mime_type": stored.mime_type or "application/octet-stream",
            }
        return self.send_media(
            kind, chat_id, p, file=file, file_id=stored.file_id, filename=stored.filename, media_json=media_json
        )

    def _get_file(self, p: JSON) -> JSON:
        stored = self.files.get(str(p.get("file_id")))
        if stored is None:
            raise bad_request("invalid file_id")
        return {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "file_size": stored.size,
            "file_path": stored.file_path,
        }

    async def _handle_file(self, request: web.Request) -> web.StreamResponse:
        stored = self._files_by_path.get(request.match_info["path"])
        if stored is None or stored.content is None:
            return web.json_response({"ok": False, "error_code": 404, "description": "Not Found"}, status=404)
        return web.Response(body=stored.content, content_type=stored.mime_type or "application/octet-stream")
