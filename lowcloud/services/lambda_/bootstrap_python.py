"""lowcloud's Python runtime bootstrap: speaks AWS's Lambda Runtime API.

Run as ``python bootstrap_python.py <opt dir>`` with the function's environment
(``AWS_LAMBDA_RUNTIME_API``, ``_HANDLER``, ``LAMBDA_TASK_ROOT``...).  It behaves as
AWS's Python runtime interface client does: imports the handler at init (posting
``/runtime/init/error`` and exiting on failure), then loops over
``/runtime/invocation/next`` -> handler -> ``/response`` or ``/error`` with AWS's
error shapes, context object and ``[LEVEL]\\t<time>\\t<request id>\\t<msg>`` logging.
The only lowcloud-specific part is how log records reach the platform: a frame
``\\x1e<json>\\n`` on stdout (AWS uses a telemetry fd for the same purpose), plus a
``done`` frame before each result so lowcloud knows the invocation's output is
complete.  Standard library only; nothing of lowcloud is importable from here.
"""
import decimal
import http.client
import importlib
import json
import logging
import os
import socket
import sys
import time
import traceback

sys.path[:] = [p for p in sys.path if os.path.abspath(p or ".") != os.path.dirname(os.path.abspath(__file__))]
FRAME_FD = os.dup(1)
NBSP = "\u00a0"
LAMBDA_WARNING = (
    "LAMBDA_WARNING: Unhandled exception. The most likely cause is an issue in the function code. However, in rare "
    "cases, a Lambda runtime update can cause unexpected function behavior. For functions using managed runtimes, "
    "runtime updates can be triggered by a function change, or can be applied automatically. To determine if the "
    "runtime has been updated, check the runtime version in the INIT_START log entry. If this error correlates with a "
    "change in the runtime version, you may be able to mitigate this error by temporarily rolling back to the previous "
    "runtime version. For more information, see https://docs.aws.amazon.com/lambda/latest/dg/runtimes-update.html")
CURRENT = {"request_id": None}


class Fault(Exception):
    def __init__(self, kind, message, trace=None):
        super().__init__(message)
        self.kind, self.message, self.trace = kind, message, trace


# --- output -----------------------------------------------------------------------------
def frame(obj):
    os.write(FRAME_FD, b"\x1e" + json.dumps(obj).encode() + b"\n")


class Unbuffered:
    def __init__(self, stream):
        self.stream = stream

    def __getattr__(self, attr):
        return getattr(self.stream, attr)

    def write(self, text):
        self.stream.write(text)
        self.stream.flush()

    def writelines(self, lines):
        self.stream.writelines(lines)
        self.stream.flush()


class LambdaLoggerHandler(logging.Handler):
    def emit(self, record):
        frame({"log": self.format(record)})


class RequestIdFilter(logging.Filter):
    def filter(self, record):
        record.aws_request_id = CURRENT["request_id"] or ""
        return True


def setup_logging():
    logging.Formatter.converter = time.gmtime
    handler = LambdaLoggerHandler()
    handler.setFormatter(logging.Formatter(
        "[%(levelname)s]\t%(asctime)s.%(msecs)03dZ\t%(aws_request_id)s\t%(message)s\n", "%Y-%m-%dT%H:%M:%S"))
    handler.addFilter(RequestIdFilter())
    logging.getLogger().addHandler(handler)


def log_error(error):
    head = "[ERROR]"
    if error.get("errorType"):
        head += " " + error["errorType"]
    if error.get("errorMessage"):
        head += (":" if error.get("errorType") else "") + " " + error["errorMessage"]
    lines = [head, "Traceback (most recent call last):"]
    for element in error.get("stackTrace") or []:
        lines += [_nbsp_indent(line) for line in element.splitlines()] if element else [""]
    frame({"log": "\n".join(lines) + "\n"})


def _nbsp_indent(line):
    stripped = line.lstrip(" ")
    return NBSP * (len(line) - len(stripped)) + stripped


# --- handler loading -----------------------------------------------------------------------
def load_handler(spec):
    try:
        module_name, function_name = spec.rsplit(".", 1)
    except ValueError as exc:
        raise Fault("Runtime.MalformedHandlerName", f"Bad handler '{spec}': {exc}")
    if module_name.split(".")[0] in sys.builtin_module_names:
        raise Fault("Runtime.BuiltInModuleConflict", f"Cannot use built-in module {module_name} as a handler module")
    try:
        module = importlib.import_module(module_name.replace("/", "."))
    except ImportError as exc:
        raise Fault("Runtime.ImportModuleError", f"Unable to import module '{module_name}': {exc}")
    except SyntaxError as exc:
        trace = ['  File "%s" Line %s\n    %s' % (exc.filename, exc.lineno, exc.text)]
        raise Fault("Runtime.UserCodeSyntaxError", f"Syntax error in module '{module_name}': {exc}", trace)
    try:
        return getattr(module, function_name)
    except AttributeError:
        raise Fault("Runtime.HandlerNotFound", f"Handler '{function_name}' missing on module '{module_name}'")


def make_error(message, kind, trace, request_id=None):
    return {"errorMessage": message or "", "errorType": kind or "", "requestId": request_id or "",
            "stackTrace": trace or []}


def fault_result(exc_info, request_id=None):
    kind, value, tb = exc_info
    frames = traceback.extract_tb(tb)
    while frames and frames[0].filename == os.path.abspath(__file__):
        frames = frames[1:]
    return make_error(str(value), kind.__name__, traceback.format_list(frames), request_id)


# --- context ---------------------------------------------------------------------------------
class CognitoIdentity:
    __slots__ = ("cognito_identity_id", "cognito_identity_pool_id")


class ClientContext:
    __slots__ = ("custom", "env", "client")


class Client:
    __slots__ = ("installation_id", "app_title", "app_version_name", "app_version_code", "app_package_name")


def from_dict(cls, data):
    if data is None:
        return None
    obj = cls()
    for name in cls.__slots__:
        setattr(obj, name, data.get(name))
    return obj


class LambdaContext:
    def __init__(self, request_id, deadline_ms, function_arn, client_context, identity):
        self.aws_request_id = request_id
        self.log_group_name = os.environ.get("AWS_LAMBDA_LOG_GROUP_NAME")
        self.log_stream_name = os.environ.get("AWS_LAMBDA_LOG_STREAM_NAME")
        self.function_name = os.environ.get("AWS_LAMBDA_FUNCTION_NAME")
        self.memory_limit_in_mb = os.environ.get("AWS_LAMBDA_FUNCTION_MEMORY_SIZE")
        self.function_version = os.environ.get("AWS_LAMBDA_FUNCTION_VERSION")
        self.invoked_function_arn = function_arn
        self.tenant_id = None
        self.client_context = from_dict(ClientContext, client_context)
        if self.client_context is not None:
            self.client_context.client = from_dict(Client, self.client_context.client)
        self.identity = from_dict(CognitoIdentity, identity or {})
        self._deadline_ms = deadline_ms

    def get_remaining_time_in_millis(self):
        return max(self._deadline_ms - int(time.time() * 1000), 0)

    def log(self, msg):
        frame({"log": str(msg)})


# --- Runtime API client --------------------------------------------------------------------
class RuntimeClient:
    def __init__(self, address):
        host, _, port = address.rpartition(":")
        self.conn = http.client.HTTPConnection(host, int(port))

    def request(self, method, path, body=None, headers=None):
        if self.conn.sock is None:
            self.conn.connect()
            self.conn.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.conn.request(method, "/2018-06-01/runtime" + path, body=body, headers=headers or {})
        response = self.conn.getresponse()
        return response, response.read()

    def next(self):
        response, body = self.request("GET", "/invocation/next")
        return {k.lower(): v for k, v in response.getheaders()}, body

    def post(self, path, payload, content_type="application/json", error_type=None):
        headers = {"Content-Type": content_type}
        if error_type:
            headers["Lambda-Runtime-Function-Error-Type"] = error_type
        self.request("POST", path, payload, headers)


def encode_default(obj):
    if isinstance(obj, decimal.Decimal):
        return int(obj) if obj == obj.to_integral_value() else float(obj)
    raise TypeError(f"Object of type {type(obj).__name__} is not JSON serializable")


def marshal(result):
    if isinstance(result, bytes):
        return result, "application/unknown"
    try:
        return json.dumps(result, default=encode_default).encode(), "application/json"
    except Exception as exc:
        raise Fault("Runtime.MarshalError", f"Unable to marshal response: {exc}")


def parse_header(headers, name, label):
    if not headers.get(name):
        return None
    try:
        return json.loads(headers[name])
    except ValueError as exc:
        raise Fault("Runtime.LambdaContextUnmarshalError", f"Unable to parse {label} JSON: {exc}")


def run_handler(handler, headers, body, request_id):
    context = LambdaContext(request_id, int(headers.get("lambda-runtime-deadline-ms", "0")),
                            headers.get("lambda-runtime-invoked-function-arn"),
                            parse_header(headers, "lambda-runtime-client-context", "Client Context"),
                            parse_header(headers, "lambda-runtime-cognito-identity", "Cognito Identity"))
    try:
        event = json.loads(body)
    except ValueError as exc:
        raise Fault("Runtime.UnmarshalError", f"Unable to unmarshal input: {exc}")
    return marshal(handler(event, context))


def handle(client, handler, headers, body):
    request_id = headers["lambda-runtime-aws-request-id"]
    CURRENT["request_id"] = request_id
    frame({"start": request_id})
    os.environ["_X_AMZN_TRACE_ID"] = headers.get("lambda-runtime-trace-id", "")
    try:
        payload, content_type = run_handler(handler, headers, body, request_id)
    except Fault as fault:
        return report_error(client, request_id, make_error(fault.message, fault.kind, fault.trace, request_id))
    except Exception:
        return report_error(client, request_id, fault_result(sys.exc_info(), request_id))
    frame({"done": request_id})
    client.post(f"/invocation/{request_id}/response", payload, content_type)


def report_error(client, request_id, error):
    log_error(error)
    frame({"done": request_id})
    client.post(f"/invocation/{request_id}/error", json.dumps(error).encode(), error_type=error["errorType"])


def add_code_paths(opt):
    task = os.environ.get("LAMBDA_TASK_ROOT", os.getcwd())
    version = f"python{sys.version_info[0]}.{sys.version_info[1]}"
    extra = [task] + ([f"{opt}/python", f"{opt}/python/lib/{version}/site-packages"] if opt else [])
    sys.path[:0] = extra


def main():
    sys.stdout = Unbuffered(sys.stdout)
    sys.stderr = Unbuffered(sys.stderr)
    add_code_paths(sys.argv[1] if len(sys.argv) > 1 else "")
    client = RuntimeClient(os.environ["AWS_LAMBDA_RUNTIME_API"])
    setup_logging()
    try:
        handler = load_handler(os.environ["_HANDLER"])
    except Exception as exc:
        error = make_error(exc.message, exc.kind, exc.trace) if isinstance(exc, Fault) else fault_result(sys.exc_info())
        logging.warning(LAMBDA_WARNING)
        log_error(error)
        client.post("/init/error", json.dumps(error).encode(), error_type=error["errorType"])
        sys.exit(1)
    while True:
        headers, body = client.next()
        handle(client, handler, headers, body)


if __name__ == "__main__":
    main()
