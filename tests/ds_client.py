"""A synchronous wrapper around Datasette's in-process client, for tests without an event loop."""

from __future__ import annotations

import asyncio
from pathlib import Path

from kb.serve import make_datasette


class SyncClient:
    """``get(path)`` against an in-process Datasette configured like ``kb serve``."""

    def __init__(self, db_path: str | Path) -> None:
        self.loop = asyncio.new_event_loop()
        self.ds = make_datasette(db_path)
        self.loop.run_until_complete(self.ds.invoke_startup())

    def get(self, path: str, **kw):
        return self.loop.run_until_complete(self.ds.client.get(path, **kw))

    def post(self, path: str, **kw):
        return self.loop.run_until_complete(self.ds.client.post(path, **kw))

    def json(self, path: str):
        response = self.get(path)
        assert response.status_code == 200, (path, response.status_code, response.text[:500])
        return response.json()

    def html(self, path: str) -> str:
        response = self.get(path)
        assert response.status_code == 200, (path, response.status_code, response.text[:500])
        return response.text

    def close(self) -> None:
        self.loop.close()
