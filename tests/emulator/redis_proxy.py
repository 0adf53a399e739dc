"""What goes wrong on Redis's side, on demand: a proxy in front of the real Redis.

It forwards every command and every answer, except the next commands that name a given word (a
Lua script's SHA1), which it answers itself with the error Redis gives when it has reached its
`maxmemory` (what a full Redis says to a write). Only 127.0.0.1.
"""

from __future__ import annotations

import asyncio
import contextlib

OUT_OF_MEMORY = b"OOM command not allowed when used memory > 'maxmemory'."


async def _command(reader: asyncio.StreamReader) -> tuple[bytes, list[bytes]] | None:
    """One command as a client sends it (a RESP array of bulk strings): its bytes and its words."""
    header = await reader.readline()
    if not header:
        return None
    if not header.startswith(b"*"):
        raise ValueError(f"not a RESP command: {header!r}")
    raw, words = [header], []
    for _ in range(int(header[1:])):
        length = await reader.readline()
        word = await reader.readexactly(int(length[1:]) + 2)
        raw += [length, word]
        words.append(word[:-2])
    return b"".join(raw), words


class RedisProxy:
    def __init__(self, upstream: tuple[str, int] = ("127.0.0.1", 6379)) -> None:
        self.upstream = upstream
        self.refused: list[bytes] = []  # the first word of each command answered with the error
        self._refusing: dict[bytes, int] = {}
        self._server: asyncio.Server | None = None
        self._connections: set[asyncio.Task] = set()

    async def start(self) -> str:
        """Listen on a free port; the URL to give the bot instead of Redis's."""
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", 0)
        port = self._server.sockets[0].getsockname()[1]
        return f"redis://127.0.0.1:{port}/0"

    def refuse(self, word: bytes, times: int = 1) -> None:
        """The next `times` commands that name `word` get Redis's out-of-memory error."""
        self._refusing[word] = times

    def _refuses(self, words: list[bytes]) -> bool:
        for word in words:
            if self._refusing.get(word, 0) > 0:
                self._refusing[word] -= 1
                self.refused.append(words[0])
                return True
        return False

    async def _serve(self, client_in: asyncio.StreamReader, client_out: asyncio.StreamWriter) -> None:
        self._connections.add(asyncio.current_task())  # type: ignore[arg-type]
        redis_in, redis_out = await asyncio.open_connection(*self.upstream)

        async def answers() -> None:
            while data := await redis_in.read(65536):
                client_out.write(data)
                await client_out.drain()

        forwarding = asyncio.create_task(answers())
        try:
            # redis-py waits for each answer before its next command, so an answer made here
            # cannot overtake one of Redis's.
            while (command := await _command(client_in)) is not None:
                raw, words = command
                if self._refuses(words):
                    client_out.write(b"-" + OUT_OF_MEMORY + b"\r\n")
                    await client_out.drain()
                else:
                    redis_out.write(raw)
                    await redis_out.drain()
        except (ConnectionError, asyncio.IncompleteReadError):
            pass
        finally:
            forwarding.cancel()
            for writer in (redis_out, client_out):
                writer.close()
            self._connections.discard(asyncio.current_task())  # type: ignore[arg-type]

    async def close(self) -> None:
        if self._server is not None:
            self._server.close()
        for connection in list(self._connections):
            connection.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await connection
