"""Applying an UpdateExpression (or legacy AttributeUpdates) to an item.

AWS evaluates every SET value against the item *as it was before the update*
(so ``SET a = b, b = a`` swaps), then applies the actions.  REMOVEs of list
elements refer to original indexes, so they are applied highest index first.
The item passed in is a private copy (freshly unpickled), so it is changed in
place.  Errors carry AWS's runtime wording.
"""
from __future__ import annotations

from decimal import Context, Decimal

from lowcloud.errors import AwsError
from lowcloud.services.dynamodb.evaluate import get_path
from lowcloud.services.dynamodb.types import INVALID, SET_TYPES, canonical_number, check_name, clean, type_of

_EXACT = Context(prec=400)
BAD_PATH = "The document path provided in the update expression is invalid for update"
BAD_TYPE = "An operand in the update expression has an incorrect data type"
MISSING = "The provided expression refers to an attribute that does not exist in the item"
OVERFLOW = "Number overflow. Attempting to store a number with magnitude larger than supported range"
LEGACY_MISMATCH = "Type mismatch for attribute to update"
LEGACY_ACTIONS = ("ADD", "PUT", "DELETE")


def invalid(message: str) -> AwsError:
    return AwsError("ValidationException", message)


def check_key_paths(clauses: dict, key_names: tuple) -> None:
    for actions in clauses.values():
        for action in actions:
            target = action[1]
            if len(target) == 1 and target[0] in key_names:
                raise invalid(INVALID + f"Cannot update attribute {target[0]}. This attribute is part of the key")


def updated_paths(clauses: dict) -> list[tuple]:
    return [action[1] for actions in clauses.values() for action in actions]


def apply_update(item: dict, original: dict, clauses: dict) -> dict:
    """Apply ``clauses`` to ``item`` (a copy of ``original``) and return it."""
    values = [(a[1], evaluate(a[2], original)) for a in clauses.get("SET", ())]
    values.sort(key=lambda pair: _path_order(pair[0]))
    for path, value in values:
        assign(item, path, value)
    removals = sorted((a[1] for a in clauses.get("REMOVE", ())), key=_removal_order, reverse=True)
    for path in removals:
        remove(item, path)
    for action in clauses.get("ADD", ()):
        add(item, action[1], action[2][1], _mismatch(action))
    for action in clauses.get("DELETE", ()):
        delete(item, action[1], action[2][1], _mismatch(action))
    return item


def _mismatch(action: tuple) -> str:
    """The type-mismatch wording: legacy AttributeUpdates actions carry their own as a 4th element."""
    return action[3] if len(action) > 3 else BAD_TYPE


def only_removes(clauses: dict) -> bool:
    """True for an update made only of removals: on a missing item it creates nothing."""
    return bool(clauses) and clauses.keys() <= {"REMOVE", "DELETE"}


def _path_order(path: tuple):
    """Sort key: SETs past a list's end append in index order, whatever order they were written in."""
    return tuple((1, p) if type(p) is int else (0, p) for p in path)


def _removal_order(path: tuple):
    return tuple((1, p) if type(p) is int else (0, 0) for p in path)


# --- SET values ---------------------------------------------------------------------

def evaluate(node, item: dict) -> dict:
    kind = node[0]
    if kind == "value":
        return node[1]
    if kind == "path":
        found = get_path(item, node[1])
        if found is None:
            raise invalid(MISSING)
        return found
    if kind in ("plus", "minus"):
        return arithmetic(kind, evaluate(node[1], item), evaluate(node[2], item))
    name, args = node[1], node[2]
    if name == "if_not_exists":
        found = get_path(item, args[0][1])
        return found if found is not None else evaluate(args[1], item)
    first, second = evaluate(args[0], item), evaluate(args[1], item)
    if type_of(first) != "L" or type_of(second) != "L":
        raise invalid(BAD_TYPE)
    return {"L": first["L"] + second["L"]}


def arithmetic(kind: str, a: dict, b: dict) -> dict:
    if type_of(a) != "N" or type_of(b) != "N":
        raise invalid(BAD_TYPE)
    x, y = Decimal(a["N"]), Decimal(b["N"])
    result = _EXACT.add(x, y) if kind == "plus" else _EXACT.subtract(x, y)
    if len(_EXACT.normalize(result).as_tuple().digits) > 38:
        raise invalid(OVERFLOW)  # AWS words an over-precise sum as an overflow
    return {"N": canonical_number(format(result, "f"))}


# --- placing values -------------------------------------------------------------------

def _container(item: dict, path: tuple):
    """The M dict or L list that holds the last element of ``path``."""
    if len(path) == 1:
        return item
    parent = get_path(item, path[:-1])
    want = "L" if type(path[-1]) is int else "M"
    if parent is None or type_of(parent) != want:
        raise invalid(BAD_PATH)
    return parent[want]


def assign(item: dict, path: tuple, value: dict) -> None:
    holder, last = _container(item, path), path[-1]
    if type(last) is int:
        if last < len(holder):
            holder[last] = value
        else:
            holder.append(value)
    else:
        holder[last] = value


def remove(item: dict, path: tuple) -> None:
    if len(path) > 1:
        parent = get_path(item, path[:-1])
        want = "L" if type(path[-1]) is int else "M"
        if parent is None or type_of(parent) != want:
            raise invalid(BAD_PATH)
        holder = parent[want]
    else:
        holder = item
    last = path[-1]
    if type(last) is int:
        if last < len(holder):
            del holder[last]
    else:
        holder.pop(last, None)


def add(item: dict, path: tuple, operand: dict, mismatch: str = BAD_TYPE) -> None:
    current = get_path(item, path)
    if current is None:
        assign(item, path, operand)
        return
    kind = type_of(current)
    if kind != type_of(operand):
        raise invalid(mismatch)
    if kind == "N":
        assign(item, path, arithmetic("plus", current, operand))
        return
    if kind == "L":
        assign(item, path, {"L": current["L"] + operand["L"]})
        return
    members = list(current[kind])
    seen = set(members)
    members.extend(m for m in operand[kind] if m not in seen)
    assign(item, path, {kind: members})


def delete(item: dict, path: tuple, operand: dict, mismatch: str = BAD_TYPE) -> None:
    current = get_path(item, path)
    if current is None:
        return
    kind = type_of(current)
    if kind not in SET_TYPES or kind != type_of(operand):
        raise invalid(mismatch)
    drop = set(operand[kind])
    members = [m for m in current[kind] if m not in drop]
    if members:
        assign(item, path, {kind: members})
    else:
        remove(item, path)


# --- legacy AttributeUpdates ----------------------------------------------------------------

def clauses_from_attribute_updates(updates: dict, key_names: tuple) -> dict:
    """Translate AttributeUpdates into the clause structure ``apply_update`` takes."""
    clauses: dict[str, list] = {}
    for name, spec in updates.items():
        check_name(name)
        if name in key_names:
            raise invalid(INVALID + f"Cannot update attribute {name}. This attribute is part of the key")
        action, value = spec.get("Action", "PUT"), spec.get("Value")
        value = clean(value)[0] if value is not None else None
        if action not in LEGACY_ACTIONS:
            raise invalid(f"1 validation error detected: Value '{action}' at 'attributeUpdates.{name}.member.action' "
                          "failed to satisfy constraint: Member must satisfy enum value set: [ADD, PUT, DELETE]")
        if action == "PUT":
            if value is None:
                raise invalid(INVALID + "Only DELETE action is allowed when no attribute value is specified")
            clauses.setdefault("SET", []).append(("set", (name,), ("value", value)))
        elif action == "DELETE" and value is None:
            clauses.setdefault("REMOVE", []).append(("remove", (name,)))
        elif action in ("ADD", "DELETE"):
            _check_legacy_operand(action, value)
            clauses.setdefault(action, []).append((action.lower(), (name,), ("value", value), LEGACY_MISMATCH))
    return clauses


def _check_legacy_operand(action: str, value) -> None:
    allowed = ("N", "SS", "NS", "BS", "L") if action == "ADD" else ("SS", "NS", "BS")
    if value is None:
        raise invalid(INVALID + "Only DELETE action is allowed when no attribute value is specified")
    if type_of(value) not in allowed:
        wording = "ADD action is" if action == "ADD" else "DELETE action with value is"
        raise invalid(INVALID + f"{wording} not supported for the type {type_of(value)}")
