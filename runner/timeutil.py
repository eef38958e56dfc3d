"""UTC timestamps in one format: 2026-01-19T14:30:12.123Z."""

from __future__ import annotations

from datetime import datetime, timezone


def now() -> datetime:
    return datetime.now(timezone.utc)


def iso(moment: datetime | None = None) -> str:
    moment = moment or now()
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def parse(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def compact(moment: datetime | None = None) -> str:
    """The form used in run ids: 20260119T143012Z."""
    return (moment or now()).astimezone(timezone.utc).strftime("%Y%m%dT%H%M%SZ")
