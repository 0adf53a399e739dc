"""What goes wrong on Redis's side, on demand: a proxy in front of the real Redis.

It forwards every command and every answer, except the next commands that name a given word (a
Lua script's SHA1): for those it sends Redis a script that answers with the error Redis gives
when it has reached its `maxmemory` (what a full Redis says to a write), so that the answer
comes from Redis itself, in its place among the others. Only 127.0.0.1.
"""

from __future__ import annotations

import asyncio
import contextlib

OUT_OF_MEMORY = "OOM command not allowed when used memory > 'maxmemory'."
_REFUSE = f'return redis.error_reply("{OUT_OF_MEMORY}")'.encode()


def _resp(words: list[bytes]) -> bytes:
    """A command as a client sends it: a RESP array of bulk strings."""
    return b"".join([b"*%d\r\n" % len(words), *(b"$%d\r\n%s\r\n" % (len(word), word) for word in words)])


async def _command(reader: asyncio.StreamReader) -> list[bytes] | None:
    """The words of the next command from a client; None at the end of its stream."""
    header = await reader.readline()
    if not header:
        return None
    if not header.startswith(b"*"):
        raise ValueError(f"not a RESP command: {header!r}")
    words = []
    for _ in range(int(header[1:])):
        length = await reader.readline()
        if not length.startswith(b"$"):
            raise ValueError(f"not a RESP bulk string: {length!r}")
        words.append((await reader.readexactly(int(length[1:]) + 2))[:-2])
    return words


class RedisProxy:
    def __init__(self, upstream: tuple[str, int] = ("127.0.0.1", 6379)) -> None:
        self.upstream = upstream
        self.url = ""  # set by start()
        self.refused: list[bytes] = []  # the first word of each command answered with the error
        self._refusing: dict[bytes, int] = {}
        self._server: asyncio.Server | None = None
        self._connections: set[asyncio.Task] = set()

    async def start(self) -> str:
        """Listen on a free port; the URL to give the bot instead of Redis's."""
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", 0)
        port = self._server.sockets[0].getsockname()[1]
        self.url = f"redis://127.0.0.1:{port}/0"
        return self.url

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
        task = asyncio.current_task()
        assert task is not None
        self._connections.add(task)
        redis_out: asyncio.StreamWriter | None = None
        forwarding: asyncio.Task | None = None
        try:
            redis_in, redis_out = await asyncio.open_connection(*self.upstream)

            async def answers() -> None:
                while data := await redis_in.read(65536):
                    client_out.write(data)
                    await client_out.drain()

            forwarding = asyncio.create_task(answers())
            while (words := await _command(client_in)) is not None:
                redis_out.write(_resp([b"EVAL", _REFUSE, b"0"]) if self._refuses(words) else _resp(words))
                await redis_out.drain()
        except (ConnectionError, asyncio.IncompleteReadError, ValueError):
            pass  # the client or Redis went away, or spoke no RESP: the connection ends
        finally:
            if forwarding is not None:
                forwarding.cancel()
                with contextlib.suppress(asyncio.CancelledError, ConnectionError):
                    await forwarding
            for writer in (redis_out, client_out):
                if writer is not None:
                    writer.close()
                    with contextlib.suppress(ConnectionError):
                        await writer.wait_closed()
            self._connections.discard(task)

    async def close(self) -> None:
        if self._server is not None:
            self._server.close()
        for connection in list(self._connections):
            connection.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await connection
        if self._server is not None:
            await self._server.wait_closed()
