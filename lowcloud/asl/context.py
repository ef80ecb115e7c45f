"""What an expression can see besides its input: the $$ context object, variables, ids.

Kept as one small dataclass so paths, intrinsics, Choice and JSONata take a single
argument, and the interpreter decides what is visible (variable scoping is its job).
"""
from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Scope:
    context: dict = field(default_factory=dict)
    variables: dict = field(default_factory=dict)
    ids: object = None
    state_name: str = ""
