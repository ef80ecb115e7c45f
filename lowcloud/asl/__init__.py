"""The Amazon States Language engine: no HTTP, no boto3, no wall clock.

Data half (no control flow): errors (StatesError, cause rendering), context (Scope),
jsonpath (the JSONPath engine), paths (the JSONPath-mode state data pipeline), intrinsics
(States.*), choice (JSONPath Choice rules), jsonata (QueryLanguage JSONata, Assign).
Control half: definition, validate, interpreter, retry, history, tasks and friends.
"""
