"""The one error type Crossref calls raise to our callers."""

from __future__ import annotations

KINDS = ("not_found", "rate_limited", "server_error", "network", "bad_response", "aborted")


class CrossrefError(Exception):
    """A failed Crossref call. ``kind`` is one of ``KINDS``.

    ``aborted`` means the client stopped talking to the network because too many
    requests failed; no request was made for this call.
    """

    def __init__(
        self,
        kind: str,
        message: str,
        *,
        status: int | None = None,
        retry_after: float | None = None,
    ) -> None:
        if kind not in KINDS:
            raise ValueError(f"unknown CrossrefError kind {kind!r}")
        super().__init__(message)
        self.kind = kind
        self.status = status
        self.retry_after = retry_after

    @property
    def retryable(self) -> bool:
        # bad_response: a truncated body or a proxy's HTML page is usually transient
        return self.kind in ("rate_limited", "server_error", "network", "bad_response")

    def __repr__(self) -> str:
        return f"CrossrefError({self.kind!r}, {str(self)!r}, status={self.status})"
