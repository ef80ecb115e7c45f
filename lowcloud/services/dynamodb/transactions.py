"""TransactWriteItems and TransactGetItems.

All actions are validated up front (bad input is a plain ValidationException,
as on AWS).  Inside one SQLite transaction every condition is evaluated first,
so CancellationReasons lists a reason for each action ("None" for the ones
that would have succeeded); only if all pass are the writes applied, and a
runtime error while applying one (say ADD on a string) cancels the whole
transaction with a ValidationError reason.  ClientRequestToken makes a
TransactWriteItems idempotent for ten minutes of clock time.
"""
from __future__ import annotations

import hashlib
import json
import pickle

from lowcloud.errors import AwsError
from lowcloud.services.dynamodb import capacity, prepare
from lowcloud.services.dynamodb.evaluate import project
from lowcloud.services.dynamodb.items import (canonical_key, checked_item, parse_update_request, read,
                                              read_projection, write_condition, write_delete, write_put,
                                              write_update)
from lowcloud.services.dynamodb.store import loads
from lowcloud.services.dynamodb.types import clean_item

ACTIONS = ("ConditionCheck", "Put", "Delete", "Update")
TOKEN_SECONDS = 600
MAX_PAYLOAD_BYTES = 4 * 1024 * 1024


def invalid(message: str) -> AwsError:
    return AwsError("ValidationException", message)


class Action:
    """One validated TransactWriteItems member."""

    def __init__(self, svc, kind: str, spec: dict):
        self.kind, self.spec = kind, spec
        self.table = svc.catalog.get(spec.get("TableName"))
        prepare.check_options(spec)
        self.clauses = self.item = self.error = None
        self.size = 0
        self._check_item(kind, spec)
        if kind == "Update":
            self.clauses, self.test = parse_update_request(self.table, spec)
        else:
            self.test = write_condition(spec)
        if kind == "ConditionCheck" and self.test is None:
            raise invalid("1 validation error detected: Value null at 'transactItems.1.member.conditionCheck."
                          "conditionExpression' failed to satisfy constraint: Member must not be null")

    def _check_item(self, kind: str, spec: dict) -> None:
        """Item/key validation; AWS reports its failure as this action's ValidationError reason."""
        try:
            if kind == "Put":
                self.item, self.size, self.key = checked_item(self.table, spec.get("Item"))
            else:
                self.key = self.table.key_of(spec.get("Key"))
        except AwsError as exc:
            if exc.code != "ValidationException":
                raise
            self.error, self.key = exc, None


def _parse_actions(svc, members: list) -> list[Action]:
    if len(members) > 100:
        raise invalid("1 validation error detected: Value at 'transactItems' failed to satisfy constraint: "
                      "Member must have length less than or equal to 100")
    actions = []
    for member in members:
        kinds = [k for k in ACTIONS if member.get(k) is not None]
        if len(kinds) != 1:
            raise invalid("TransactItems can only contain one of Check, Put, Update or Delete")
        actions.append(Action(svc, kinds[0], member[kinds[0]]))
    _check_payload(actions)
    seen = set()
    for action in actions:
        if action.key is None:
            continue
        ident = (action.table.tid,) + action.key
        if ident in seen:
            raise invalid("Transaction request cannot include multiple operations on one item")
        seen.add(ident)
    invalid_at = next((i for i, a in enumerate(actions) if a.error is not None), None)
    if invalid_at is not None:
        raise cancelled([{"Code": "ValidationError", "Message": actions[i].error.message} if i == invalid_at
                         else {"Code": "None"} for i in range(len(actions))])
    return actions


def _check_payload(actions: list[Action]) -> None:
    if sum(action.size for action in actions) > MAX_PAYLOAD_BYTES:
        raise invalid("Transaction payload size cannot exceed 4 MB")


def transact_write_items(svc, params: dict) -> dict:
    mode = prepare.check_options(params)
    token, digest = params.get("ClientRequestToken"), _digest(params.get("TransactItems"))
    if token:
        replay = _replay(svc, token, digest)
        if replay is not None:
            return replay
    actions = _parse_actions(svc, params.get("TransactItems") or [])
    with svc.writing() as log:
        _check_conditions(svc, actions)
        olds = _apply_all(svc, log, actions)
        out = _write_response(svc, actions, olds, mode, params)
        if token:
            now = svc.clock.now()
            svc.db.execute("DELETE FROM tokens WHERE at < ?", (now - TOKEN_SECONDS,))
            svc.db.execute("INSERT OR REPLACE INTO tokens(token, digest, at, response) VALUES (?,?,?,?)",
                           (token, digest, now, pickle.dumps(out, 5)))
    return out


def _digest(members) -> str:
    return hashlib.sha256(json.dumps(members, sort_keys=True, default=repr).encode()).hexdigest()


def _replay(svc, token: str, digest: str):
    row = svc.db.one("SELECT digest, at, response FROM tokens WHERE token=?", (token,))
    if row is None or svc.clock.now() - row[1] > TOKEN_SECONDS:
        return None
    if row[0] != digest:
        raise AwsError("IdempotentParameterMismatchException",
                       "The request uses the same client token as a previous, but non-identical request.")
    return loads(row[2])


def _check_conditions(svc, actions: list[Action]) -> None:
    reasons, failed = [], False
    for action in actions:
        old = read(svc, action.table, action.key)
        action.old = old
        if action.test is not None and not action.test(old or {}):
            failed = True
            reason = {"Code": "ConditionalCheckFailed", "Message": "The conditional request failed"}
            if old is not None and action.spec.get("ReturnValuesOnConditionCheckFailure") == "ALL_OLD":
                reason["Item"] = old
            reasons.append(reason)
        else:
            reasons.append({"Code": "None"})
    if failed:
        raise cancelled(reasons)


def cancelled(reasons: list) -> AwsError:
    codes = ", ".join(r["Code"] for r in reasons)
    return AwsError("TransactionCanceledException",
                    f"Transaction cancelled, please refer cancellation reasons for specific reasons [{codes}]",
                    CancellationReasons=reasons)


REASON_CODES = {"ValidationException": "ValidationError",
                "ItemCollectionSizeLimitExceededException": "ItemCollectionSizeLimitExceeded"}


def _apply_all(svc, log, actions: list[Action]) -> list:
    olds = []
    for position, action in enumerate(actions):
        try:
            olds.append(_apply(svc, log, action))
        except AwsError as exc:
            if exc.code not in REASON_CODES:
                raise
            raise cancelled([{"Code": REASON_CODES[exc.code], "Message": exc.message} if i == position
                             else {"Code": "None"} for i in range(len(actions))])
    return olds


def _apply(svc, log, action: Action):
    if action.kind == "Put":
        return write_put(svc, log, action.table, action.key, action.item, action.size, None, action.spec)
    if action.kind == "Update":
        key_item = canonical_key(action.table, action.spec.get("Key"))
        return write_update(svc, log, action.table, action.key, action.clauses, None, action.spec, key_item)[0]
    if action.kind == "Delete":
        return write_delete(svc, log, action.table, action.key, None, action.spec)
    return action.old


def _write_response(svc, actions, olds, mode, params) -> dict:
    out = {}
    if mode != "NONE":
        per_table: dict[str, float] = {}
        for action, old in zip(actions, olds):
            sizes = [clean_item(i)[1] for i in (old, action.item) if i]
            per_table[action.table.name] = per_table.get(action.table.name, 0.0) + 2 * capacity.write_units(*sizes)
        out["ConsumedCapacity"] = [capacity.report(mode, name, units, split="Write")
                                   for name, units in per_table.items()]
    return out


def transact_get_items(svc, params: dict) -> dict:
    mode = prepare.check_options(params)
    members = params.get("TransactItems") or []
    if len(members) > 100:
        raise invalid("1 validation error detected: Value at 'transactItems' failed to satisfy constraint: "
                      "Member must have length less than or equal to 100")
    gets = _plan_gets(svc, members)
    responses, per_table = [], {}
    with svc.db.lock:
        for table, key, paths in gets:
            row = svc.store.get(table, key)
            item = loads(row[0]) if row else None
            responses.append({"Item": project(item, paths) if paths else item} if item is not None else {})
            units = 2 * capacity.read_units(row[1] if row else 0, True)
            per_table[table.name] = per_table.get(table.name, 0.0) + units
    out = {"Responses": responses}
    if mode != "NONE":
        out["ConsumedCapacity"] = [capacity.report(mode, n, u, split="Read") for n, u in per_table.items()]
    return out


def _plan_gets(svc, members: list) -> list:
    gets, seen = [], set()
    for member in members:
        spec = member.get("Get") or {}
        table = svc.catalog.get(spec.get("TableName"))
        key = table.key_of(spec.get("Key"))
        if (table.tid,) + key in seen:
            raise invalid("Transaction request cannot include multiple operations on one item")
        seen.add((table.tid,) + key)
        gets.append((table, key, read_projection(spec)))
    return gets
