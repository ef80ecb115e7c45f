"""CloudWatch Logs filter pattern syntax: terms, phrases, ?OR, -exclusion, regex, JSON and delimited patterns."""
import json

import pytest

from lowcloud.errors import AwsError
from lowcloud.services.logs.patterns import compile_pattern

LINES = ["[ERROR] 2024-06-10 disk full", "[WARN] slow request", "INFO all good",
         "ERROR Exiting with code 1", "Failed to connect: timeout"]


def matching(pattern, lines=LINES):
    matcher = compile_pattern(pattern)
    return [line for line in lines if matcher(line)]


@pytest.mark.parametrize("pattern, expected", [
    ("", LINES),
    ("ERROR", [LINES[0], LINES[3]]),
    ("error", []),  # case-sensitive
    ("ERROR disk", [LINES[0]]),
    ('"Failed to"', [LINES[4]]),
    ('"slow request"', [LINES[1]]),
    ("?WARN ?timeout", [LINES[1], LINES[4]]),
    ("ERROR -Exiting", [LINES[0]]),
    ("-ERROR", [LINES[1], LINES[2], LINES[4]]),
    ('?"ERROR" "disk" ?"INFO" "good"', [LINES[0], LINES[2]]),  # CDK anyTermGroup
    ("%^\\[[A-Z]+\\]%", [LINES[0], LINES[1]]),
    ("%code [0-9]$%", [LINES[3]]),
])
def test_term_patterns(pattern, expected):
    assert matching(pattern) == expected


EVENTS = [
    {"eventType": "UpdateTrail", "sourceIPAddress": "123.123.4.5", "latency": 600, "user": {"id": 1},
     "users": [{"email": "a@example.com"}], "error": True, "note": None},
    {"eventType": "CreateTrail", "sourceIPAddress": "10.0.0.1", "latency": 20, "user": {"id": 2},
     "users": [{"email": "b@example.com"}], "error": False},
    {"eventType": "DeleteTrail", "latency": "75"},
]
DOCS = [json.dumps(e) for e in EVENTS] + ["not json { $.eventType }"]


@pytest.mark.parametrize("pattern, expected", [
    ('{ $.eventType = "UpdateTrail" }', [0]),
    ("{$.eventType = UpdateTrail}", [0]),
    ('{ $.eventType = "*Trail" }', [0, 1, 2]),
    ('{ $.eventType != "UpdateTrail" }', [1, 2]),
    ("{ $.sourceIPAddress != 123.123.* }", [1]),
    ("{ $.latency > 50 }", [0, 2]),
    ("{ $.latency <= 75 }", [1, 2]),
    ("{ $.latency = 600 }", [0]),
    ("{ $.user.id = 2 }", [1]),
    ('{ $.users[0].email = "a@example.com" }', [0]),
    ('{ ($.user.id = 1) && ($.users[0].email = "a@example.com") }', [0]),
    ('{ $.user.id = 2 || $.eventType = "DeleteTrail" }', [1, 2]),
    ('{ ($.latency > 500 || $.error IS FALSE) && $.eventType = "*Trail" }', [0, 1]),
    ("{ $.error IS TRUE }", [0]),
    ("{ $.note IS NULL }", [0]),
    ("{ $.note NOT EXISTS }", [1, 2]),
    ("{ $.sourceIPAddress EXISTS }", [0, 1]),
    ('{ $.eventType = "*" }', [0, 1, 2]),
    ("{ $.eventType = %^Up% }", [0]),
    ("{ $.missing.deep = 1 }", []),
])
def test_json_patterns(pattern, expected):
    assert matching(pattern, DOCS) == [DOCS[i] for i in expected]


APACHE = ['127.0.0.1 - frank [10/Oct/2000:13:25:15 -0700] "GET /apache_pb.gif HTTP/1.0" 200 1534',
          '127.0.0.1 - bob [10/Oct/2000:13:35:22 -0700] "GET /index.html HTTP/1.0" 404 120',
          'short line']


@pytest.mark.parametrize("pattern, expected", [
    ("[ip, user, username, timestamp, request, status_code, bytes]", [0, 1]),
    ("[ip, user, username, timestamp, request, status_code = 404, bytes]", [1]),
    ("[ip, user, username, timestamp, request, status_code = 2*, bytes > 1000]", [0]),
    ('[ip, user, username = "frank", ...]', [0]),
    ("[..., status_code != 200 && status_code != 500, bytes]", [1, 2]),  # "short" is not 200 either
    ("[ip, ..., status_code = 200 || status_code = 404, bytes < 2000]", [0, 1]),
    ('[ip, user, username, timestamp = "10/Oct/2000:13:25:15 -0700", ...]', [0]),
    ("[a, b]", [2]),
])
def test_space_delimited_patterns(pattern, expected):
    assert matching(pattern, APACHE) == [APACHE[i] for i in expected]


@pytest.mark.parametrize("pattern", ["{ $.a = }", "{ $.a = 1", "[a, ..., b, ...]", '"open', "{ a = 1 }",
                                     "{ $.a IS MAYBE }", "%[%", "{ ($.a = 1 }"])
def test_malformed_patterns_raise_invalid_parameter(pattern):
    with pytest.raises(AwsError) as exc:
        compile_pattern(pattern)
    assert exc.value.code == "InvalidParameterException"
