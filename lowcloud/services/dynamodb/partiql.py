"""ExecuteStatement, BatchExecuteStatement and ExecuteTransaction over the item engine.

A SELECT whose WHERE pins the partition key with ``=`` reads one partition in
key order (a Query); any other SELECT is a Scan with the WHERE as filter.
Paging uses the same page rules as Query/Scan; NextToken is the
LastEvaluatedKey, serialised as JSON (never pickled user input).  Writes need
the full primary key with ``=`` in WHERE; the rest of the WHERE becomes the
write's condition, and UPDATE/DELETE of a missing item fail the condition as
on AWS (INSERT of an existing key raises DuplicateItemException).
"""
from __future__ import annotations

import base64
import json

from lowcloud.errors import AwsError
from lowcloud.services.dynamodb import query as q
from lowcloud.services.dynamodb.evaluate import compile_condition, project
from lowcloud.services.dynamodb.items import checked_item, read, write_delete, write_put, write_update
from lowcloud.services.dynamodb.partiql_parse import parse_statement
from lowcloud.services.dynamodb.transactions import cancelled
from lowcloud.services.dynamodb.types import type_of


def invalid(message: str) -> AwsError:
    return AwsError("ValidationException", message)


def execute_statement(svc, params: dict) -> dict:
    statement = parse_statement(params.get("Statement") or "", params.get("Parameters") or [])
    if statement.kind == "SELECT":
        return select(svc, statement, params)
    table = svc.catalog.get(statement.table)
    if statement.kind == "DELETE" and statement.returning not in (None, "ALL OLD"):
        raise invalid(f"Invalid returning clause: RETURNING {statement.returning} *. Only RETURNING ALL OLD * is "
                      "allowed in DELETE statements.")
    write = prepare_write(table, statement)
    with svc.writing() as log:
        old, new = perform(svc, log, table, statement, write, params)
    return {"Items": returned(statement, old, new, write)}


# --- SELECT -------------------------------------------------------------------------------------

def select(svc, statement, params: dict) -> dict:
    table = svc.catalog.get(statement.table)
    if statement.index is not None and statement.index not in table.indexes:
        raise invalid("The table does not have the specified index")
    index = table.indexes.get(statement.index) if statement.index else None
    if params.get("ConsistentRead") and index is not None and index.kind == "GSI":
        raise invalid("Strongly consistent read is not supported on Global Secondary Indexes")
    plan = q.Plan(svc, table, {"IndexName": statement.index, "Limit": params.get("Limit"),
                               "ConsistentRead": params.get("ConsistentRead")})
    source, start = _source(plan, index or table, statement, _decode_token(plan, params.get("NextToken")))
    test = compile_condition(statement.where) if statement.where else None
    paths = [p[1] for p in statement.paths] if statement.paths else None
    page = q.run(plan, "NONE", "SPECIFIC_ATTRIBUTES" if paths else "ALL_ATTRIBUTES", test, paths, source, start)
    out = {"Items": page["Items"]}
    if "LastEvaluatedKey" in page:
        out["NextToken"] = _encode_token(page["LastEvaluatedKey"])
    return out


def _source(plan, keys, statement, start):
    """Rows to read: one partition when WHERE pins its key with ``=``, else the whole table or index."""
    sql_table, where, args, order = plan.source()
    pinned = _equality(statement.where, keys.hash_name, keys.hash_type)
    if pinned is None:
        return (sql_table, where, args, order), start
    rng = q.key_range(("cmp", "=", ("path", (keys.hash_name,)), ("value", pinned)),
                      keys.hash_name, keys.hash_type, None, None)
    return (sql_table, where + " AND h=? AND pk=?", args + [rng.bucket, rng.pk], order[2:]), start and start[2:]


def _equality(node, name: str, kind: str):
    """The value ``name`` is pinned to by a top-level AND-ed equality in ``node``, or None."""
    if node is None:
        return None
    if node[0] == "and":
        return _equality(node[1], name, kind) or _equality(node[2], name, kind)
    if node[0] == "cmp" and node[1] == "=":
        left, right = node[2], node[3]
        if right[0] == "path":
            left, right = right, left
        if left == ("path", (name,)) and right[0] == "value" and type_of(right[1]) == kind:
            return right[1]
    return None


def _encode_token(key: dict) -> str:
    plain = {k: ({"B": base64.b64encode(v["B"]).decode()} if "B" in v else v) for k, v in key.items()}
    return base64.urlsafe_b64encode(json.dumps(plain).encode()).decode()


def _decode_token(plan, token):
    if not token:
        return None
    try:
        plain = json.loads(base64.urlsafe_b64decode(token.encode()))
        key = {k: ({"B": base64.b64decode(v["B"])} if "B" in v else v) for k, v in plain.items()}
    except (ValueError, TypeError, AttributeError):
        raise invalid("Invalid NextToken")
    return q.start_key(plan, {"ExclusiveStartKey": key})


# --- writes ----------------------------------------------------------------------------------------

class Write:
    """A write statement resolved against its table: key, condition, new item or update clauses."""

    def __init__(self, table, key, test, item=None, size=0, clauses=None, key_item=None):
        self.table, self.key, self.test = table, key, test
        self.item, self.size, self.clauses, self.key_item = item, size, clauses, key_item


def prepare_write(table, statement) -> Write:
    if statement.kind == "INSERT":
        item, size, key = checked_item(table, statement.item["M"])
        return Write(table, key, None, item=item, size=size)
    key_item, rest = _split_key(table, statement.where)
    key = table.key_of(key_item)
    extra = compile_condition(rest) if rest is not None else None
    test = (lambda item: bool(item) and (extra is None or extra(item)))
    clauses = None
    if statement.kind == "UPDATE":
        clauses = {"SET": [a for a in statement.actions if a[0] == "set"],
                   "REMOVE": [a for a in statement.actions if a[0] == "remove"]}
    elif rest is None:
        test = None
    return Write(table, key, test, clauses=clauses, key_item=key_item)


def _split_key(table, where):
    """(key attributes pinned by equality, remaining condition) of a write's WHERE."""
    conjuncts = _conjuncts(where)
    key, rest = {}, []
    for node in conjuncts:
        name = _key_equality(node, table.key_names)
        if name is not None and name[0] not in key:
            key[name[0]] = name[1]
        else:
            rest.append(node)
    if set(key) != set(table.key_names):
        raise invalid("Where clause does not contain a mandatory equality on all key attributes")
    node = None
    for part in rest:
        node = part if node is None else ("and", node, part)
    return key, node


def _conjuncts(node) -> list:
    if node is not None and node[0] == "and":
        return _conjuncts(node[1]) + _conjuncts(node[2])
    return [node] if node is not None else []


def _key_equality(node, names):
    if node[0] != "cmp" or node[1] != "=":
        return None
    left, right = node[2], node[3]
    if right[0] == "path":
        left, right = right, left
    if left[0] == "path" and len(left[1]) == 1 and left[1][0] in names and right[0] == "value":
        return left[1][0], right[1]
    return None


def perform(svc, log, table, statement, write: Write, params: dict):
    if statement.kind == "INSERT":
        if read(svc, table, write.key) is not None:
            raise AwsError("DuplicateItemException", "Duplicate primary key exists in table")
        write_put(svc, log, table, write.key, write.item, write.size, None, params)
        return None, write.item
    if statement.kind == "UPDATE":
        return write_update(svc, log, table, write.key, write.clauses, write.test, params, write.key_item)
    if write.test is not None and not write.test(read(svc, table, write.key) or {}):
        raise AwsError("ConditionalCheckFailedException", "The conditional request failed")
    return write_delete(svc, log, table, write.key, None, params), None


def returned(statement, old, new, write: Write) -> list:
    mode = statement.returning
    if mode is None:
        return []
    source = old if mode.endswith("OLD") else new
    if source is None:
        return []
    if mode.startswith("MODIFIED") and write.clauses:
        paths = [a[1] for acts in write.clauses.values() for a in acts]
        return [project(source, paths)]
    return [source]


# --- batches and transactions ------------------------------------------------------------------------

BATCH_ERROR_CODES = {"ValidationException": "ValidationError", "ResourceNotFoundException": "ResourceNotFound",
                     "ConditionalCheckFailedException": "ConditionalCheckFailed",
                     "DuplicateItemException": "DuplicateItem",
                     "ItemCollectionSizeLimitExceededException": "ItemCollectionSizeLimitExceeded"}


def batch_execute_statement(svc, params: dict) -> dict:
    statements = params.get("Statements") or []
    if len(statements) > 25:
        raise invalid("1 validation error detected: Value at 'statements' failed to satisfy constraint: Member "
                      "must have length less than or equal to 25")
    return {"Responses": [_batch_one(svc, s) for s in statements]}


def _batch_one(svc, spec: dict) -> dict:
    try:
        statement = parse_statement(spec.get("Statement") or "", spec.get("Parameters") or [])
        table = svc.catalog.get(statement.table)
        if statement.kind == "SELECT":
            key, _ = _split_key(table, statement.where) if statement.where else ({}, None)
            if not key:
                raise invalid("Select statements within BatchExecuteStatement must specify the primary key in "
                              "the where clause.")
            items = select(svc, statement, {"ConsistentRead": spec.get("ConsistentRead")})["Items"]
            return {"TableName": table.name, **({"Item": items[0]} if items else {})}
        result = execute_statement(svc, spec)
        out = {"TableName": table.name}
        if result["Items"]:
            out["Item"] = result["Items"][0]
        return out
    except AwsError as exc:
        return {"Error": {"Code": BATCH_ERROR_CODES.get(exc.code, "ValidationError"), "Message": exc.message}}


def execute_transaction(svc, params: dict) -> dict:
    specs = params.get("TransactStatements") or []
    parsed = []
    for position, spec in enumerate(specs):
        statement = parse_statement(spec.get("Statement") or "", spec.get("Parameters") or [])
        if statement.returning is not None:
            raise invalid(f"Validation failed in TransactStatements[{position}]: RETURNING clause is not supported "
                          "in ExecuteTransaction.")
        if statement.kind == "SELECT" and statement.index is not None:
            raise invalid(f"Validation failed in TransactStatements[{position}]: Reads on indices are not "
                          "supported within transactions.")
        parsed.append(statement)
    if all(s.kind == "SELECT" for s in parsed):
        return {"Responses": [_read_one(svc, s) for s in parsed]}
    writes = [(s, prepare_write(svc.catalog.get(s.table), s)) for s in parsed]
    with svc.writing() as log:
        _check_transaction(svc, writes)
        for statement, write in writes:
            perform(svc, log, write.table, statement, write, {})
    return {}


def _read_one(svc, statement) -> dict:
    items = select(svc, statement, {})["Items"]
    return {"Item": items[0]} if items else {}


def _check_transaction(svc, writes) -> None:
    reasons = []
    for statement, write in writes:
        old = read(svc, write.table, write.key)
        if statement.kind == "INSERT" and old is not None:
            reasons.append({"Code": "DuplicateItem", "Message": "Duplicate primary key exists in table"})
        elif write.test is not None and not write.test(old or {}):
            reasons.append({"Code": "ConditionalCheckFailed", "Message": "The conditional request failed"})
        else:
            reasons.append({"Code": "None"})
    if any(r["Code"] != "None" for r in reasons):
        raise cancelled(reasons)

