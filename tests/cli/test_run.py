"""`lowcloud run`: a definition file runs to its output on a virtual clock; failures exit 1 with error and cause."""
import json
import subprocess
import sys


def _run(tmp_path, definition, payload="{}", *extra):
    path = tmp_path / "machine.asl.json"
    path.write_text(json.dumps(definition))
    return subprocess.run([sys.executable, "-m", "lowcloud.cli", "run", str(path), "--input", payload, *extra],
                          capture_output=True, text=True, timeout=120)


def test_run_waits_a_day_instantly_and_prints_output(tmp_path):
    definition = {"StartAt": "Wait", "States": {
        "Wait": {"Type": "Wait", "Seconds": 86400, "Next": "Done"},
        "Done": {"Type": "Pass", "Parameters": {"greeting.$": "States.Format('hello {}', $.who)"}, "End": True}}}
    out = _run(tmp_path, definition, '{"who": "lowcloud"}', "--fast")
    assert out.returncode == 0, out.stdout + out.stderr
    assert "WaitStateEntered" in out.stdout and "ExecutionSucceeded" in out.stdout
    assert '"greeting": "hello lowcloud"' in out.stdout


def test_run_failure_exits_1_with_error_and_cause(tmp_path):
    definition = {"StartAt": "Boom", "States": {"Boom": {"Type": "Fail", "Error": "Custom.Error", "Cause": "it broke"}}}
    out = _run(tmp_path, definition, "{}", "--fast")
    assert out.returncode == 1
    assert "FAILED" in out.stdout and "Custom.Error" in out.stdout and "it broke" in out.stdout


def test_run_rejects_input_that_is_not_json(tmp_path):
    out = _run(tmp_path, {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}}, "{nope", "--fast")
    assert out.returncode == 2 and "not JSON" in out.stdout
