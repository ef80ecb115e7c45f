"""Writing and reading log events: PutLogEvents' rules, GetLogEvents' and FilterLogEvents' paging.

PutLogEvents rejects a whole batch that is out of order or too large and
quietly rejects (reporting indexes) events more than 14 days old, older than
the group's retention, or more than 2 hours ahead.  Reads walk events in
(timestamp, id) order; GetLogEvents tokens name the last position read so a
finished stream hands the same token back, and FilterLogEvents reads one
event past its limit to know whether a nextToken is due.
"""
from __future__ import annotations

from dataclasses import dataclass

from lowcloud.errors import AwsError
from lowcloud.services.logs import tokens
from lowcloud.services.logs.store import DAY_MS, Group, LogStore

MAX_BATCH_BYTES = 1_048_576
EVENT_OVERHEAD = 26
MAX_EVENT_BYTES = 1_048_576
MAX_RESPONSE_BYTES = 1_048_576
TOO_OLD_MS = 14 * DAY_MS
TOO_NEW_MS = 2 * 3_600_000
SCAN_CHUNK = 1000


def invalid(message: str) -> AwsError:
    return AwsError("InvalidParameterException", message)


# --- PutLogEvents ------------------------------------------------------------
def check_batch(events: list[dict]) -> None:
    """Whole-batch rules: chronological order, event and batch size."""
    total = 0
    for i, event in enumerate(events):
        if i and event["timestamp"] < events[i - 1]["timestamp"]:
            raise invalid("Log events in a single PutLogEvents request must be in chronological order.")
        size = len(event["message"].encode("utf-8")) + EVENT_OVERHEAD
        if size > MAX_EVENT_BYTES:
            raise invalid(f"Log event too large: {size} bytes exceeds limit of {MAX_EVENT_BYTES}")
        total += size
    if total > MAX_BATCH_BYTES:
        raise invalid(f"Upload too large: {total} bytes exceeds limit of {MAX_BATCH_BYTES}")


def partition(events: list[dict], group: Group, now_ms: int) -> tuple[list[dict], dict]:
    """(accepted events, rejectedLogEventsInfo) for a chronological batch."""
    too_old, expired, too_new = now_ms - TOO_OLD_MS, group.cutoff(now_ms), now_ms + TOO_NEW_MS
    info, accepted = {}, []
    for i, event in enumerate(events):
        ts = event["timestamp"]
        if ts < too_old:
            info["tooOldLogEventEndIndex"] = i + 1
        elif ts < expired:
            info["expiredLogEventEndIndex"] = i + 1
        elif ts > too_new:
            info.setdefault("tooNewLogEventStartIndex", i)
        else:
            accepted.append(event)
    return accepted, info


# --- GetLogEvents ------------------------------------------------------------
@dataclass
class StreamRead:
    group: Group
    stream: str
    start: int | None
    end: int | None
    limit: int
    now_ms: int

    def where(self, cursor: str) -> tuple[str, tuple]:
        sql = "grp=? AND stream=? AND ts >= ?"
        args: tuple = (self.group.name, self.stream, max(self.start or 0, self.group.cutoff(self.now_ms)))
        if self.end is not None:
            sql += " AND ts < ?"
            args += (self.end,)
        return f"{sql} AND {cursor}", args


def get_events(store: LogStore, read: StreamRead, token: str | None, from_head: bool) -> dict:
    direction, position = tokens.parse_stream_token(token) if token else ("f" if from_head else "b", None)
    if direction == "f":
        rows = _forward(store, read, position or tokens.START)
    else:
        rows = _backward(store, read, position)
    return {"events": [_output_event(r) for r in rows], **_stream_tokens(rows, direction, position)}


def _forward(store: LogStore, read: StreamRead, after: tokens.Position) -> list[tuple]:
    sql, args = read.where("(ts, id) > (?, ?)")
    return _cap(store.read(sql, args + after, False, read.limit))


def _backward(store: LogStore, read: StreamRead, before: tokens.Position | None) -> list[tuple]:
    if before is None:
        sql, args = read.where("1")
    else:
        sql, args = read.where("(ts, id) < (?, ?)")
        args += before
    rows = store.read(sql, args, True, read.limit)
    return list(reversed(_cap(rows)))


def _cap(rows: list[tuple]) -> list[tuple]:
    """As many rows as fit AWS's 1 MB response (26 bytes of overhead each)."""
    total, kept = 0, []
    for row in rows:
        total += row[4] + EVENT_OVERHEAD
        if total > MAX_RESPONSE_BYTES and kept:
            break
        kept.append(row)
    return kept


def _stream_tokens(rows: list[tuple], direction: str, position: tokens.Position | None) -> dict:
    if rows:
        first, last = (rows[0][2], rows[0][0]), (rows[-1][2], rows[-1][0])
        return {"nextForwardToken": tokens.stream_token("f", last),
                "nextBackwardToken": tokens.stream_token("b", first)}
    position = position or tokens.START
    if direction == "f":  # at the end: same forward token; backward resumes at it inclusive
        back = (position[0], position[1] + 1) if position != tokens.START else position
        return {"nextForwardToken": tokens.stream_token("f", position),
                "nextBackwardToken": tokens.stream_token("b", back)}
    ahead = (position[0], position[1] - 1) if position[1] > 0 else position
    return {"nextForwardToken": tokens.stream_token("f", ahead),
            "nextBackwardToken": tokens.stream_token("b", position)}


def _output_event(row: tuple) -> dict:
    return {"timestamp": row[2], "message": row[5], "ingestionTime": row[3]}


# --- FilterLogEvents ---------------------------------------------------------
@dataclass
class GroupScan:
    group: Group
    streams: list[str] | None  # None: every stream
    start: int | None
    end: int | None
    limit: int
    now_ms: int

    def where(self) -> tuple[str, tuple, tuple]:
        """(SQL, arguments before the (ts, id) cursor pair, arguments after it)."""
        sql = "grp=? AND ts >= ?"
        head: tuple = (self.group.name, max(self.start or 0, self.group.cutoff(self.now_ms)))
        if self.end is not None:  # FilterLogEvents' endTime is inclusive (GetLogEvents' is not)
            sql += " AND ts <= ?"
            head += (self.end,)
        sql += " AND (ts, id) > (?, ?)"
        if self.streams is not None:
            sql += f" AND stream IN ({','.join('?' * len(self.streams))})"
        return sql, head, tuple(self.streams or ())


def filter_events(store: LogStore, scan: GroupScan, matches, after: tokens.Position) -> dict:
    found, position = [], after
    sql, head, tail = scan.where()
    while len(found) <= scan.limit:
        rows = store.read(sql, head + position + tail, False, SCAN_CHUNK)
        found += [r for r in rows if matches(r[5])]
        if len(rows) < SCAN_CHUNK:
            break
        position = (rows[-1][2], rows[-1][0])
    page = _cap(found[:scan.limit])
    result = {"events": [_filtered_event(r) for r in page], "searchedLogStreams": []}
    if len(page) < len(found):
        result["nextToken"] = tokens.filter_token((page[-1][2], page[-1][0]))
    return result


def _filtered_event(row: tuple) -> dict:
    return {"logStreamName": row[1], "timestamp": row[2], "message": row[5],
            "ingestionTime": row[3], "eventId": tokens.event_id((row[2], row[0]))}
