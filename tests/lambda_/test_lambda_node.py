"""Node.js functions on the machine's node: handler styles, console format, errors, aws-sdk v2."""
from __future__ import annotations

import base64
import re
import shutil

import pytest

from lambda_helpers import invoke_json, log_messages

pytestmark = pytest.mark.skipif(shutil.which("node") is None, reason="node is not installed")

APP = """
class InProgressError extends Error {
  constructor(...params) { super(...params); this.name = this.constructor.name; }
}
console.log('init line');
exports.asyncHandler = async (event, context) => {
  console.log('got', event, context.memoryLimitInMB);
  return { n: event.n + 1, name: context.functionName, arn: context.invokedFunctionArn,
           id: context.awsRequestId, left: context.getRemainingTimeInMillis() > 0 };
};
exports.callbackHandler = (event, context, callback) => {
  setTimeout(() => console.log('timer after callback'), 30);
  callback(null, { viaCallback: true });
};
exports.noWait = (event, context, callback) => {
  context.callbackWaitsForEmptyEventLoop = false;
  setTimeout(() => {}, 60000);
  callback(null, 'returned at once');
};
exports.succeed = (event, context) => { context.succeed({ legacy: true }); };
exports.syncNoCallback = () => { console.log('nothing returned'); };
exports.waitAggregation = async () => { throw new InProgressError('InProgress'); };
exports.callbackError = (event, context, callback) => callback(new TypeError('bad type'));
"""


def deploy_node(deploy, name, handler, files=None, **extra):
    return deploy(name, files or {"app.js": APP}, handler=f"app.{handler}", runtime="nodejs20.x", **extra)


def test_async_handler_context_and_console_format(cloud, lam, deploy):
    deploy_node(deploy, "async", "asyncHandler", MemorySize=512)
    out, body = invoke_json(lam, "async", {"n": 1}, LogType="Tail")
    assert body["n"] == 2 and body["name"] == "async" and body["left"] is True
    assert body["arn"] == "arn:aws:lambda:us-east-1:000000000000:function:async"
    tail = base64.b64decode(out["LogResult"]).decode()
    assert re.search(rf"\n\d{{4}}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{{3}}Z\t{body['id']}\tINFO\tgot {{ n: 1 }} 512\n", tail)
    messages = log_messages(cloud, "async")
    assert messages[0].endswith("\tundefined\tINFO\tinit line\n")


def test_callback_styles(lam, deploy):
    deploy_node(deploy, "cb", "callbackHandler")
    out, body = invoke_json(lam, "cb", LogType="Tail")
    assert body == {"viaCallback": True}
    tail = base64.b64decode(out["LogResult"]).decode()
    assert tail.index("timer after callback") < tail.index("END RequestId"), "waits for the empty event loop"
    deploy_node(deploy, "nowait", "noWait")
    assert invoke_json(lam, "nowait")[1] == "returned at once"
    deploy_node(deploy, "succeed", "succeed")
    assert invoke_json(lam, "succeed")[1] == {"legacy": True}
    deploy_node(deploy, "nocb", "syncNoCallback")
    out, body = invoke_json(lam, "nocb")
    assert body is None and "FunctionError" not in out


def test_custom_error_class_is_the_error_type(lam, deploy):
    """Seed 004's WaitAggregation: the thrown class name becomes errorType (the ASL error name)."""
    deploy_node(deploy, "wait", "waitAggregation")
    out, body = invoke_json(lam, "wait", LogType="Tail")
    assert out["FunctionError"] == "Unhandled"
    assert body["errorType"] == "InProgressError" and body["errorMessage"] == "InProgress"
    assert body["trace"][0] == "InProgressError: InProgress"
    tail = base64.b64decode(out["LogResult"]).decode()
    assert "\tERROR\tInvoke Error \t{\"errorType\":\"InProgressError\",\"errorMessage\":\"InProgress\"" in tail
    deploy_node(deploy, "cberr", "callbackError")
    body = invoke_json(lam, "cberr")[1]
    assert (body["errorType"], body["errorMessage"]) == ("TypeError", "bad type")


def test_node_init_errors(lam, deploy):
    deploy_node(deploy, "nomodule", "handler", files={"other.js": ""})
    out, body = invoke_json(lam, "nomodule")
    assert out["FunctionError"] == "Unhandled" and body["errorType"] == "Runtime.ImportModuleError"
    assert body["errorMessage"].startswith("Error: Cannot find module 'app'")
    deploy_node(deploy, "nohandler", "missing")
    body = invoke_json(lam, "nohandler")[1]
    assert body["errorType"] == "Runtime.HandlerNotFound"
    assert body["errorMessage"] == "app.missing is undefined or not exported"


def test_es_module_handler(lam, deploy):
    deploy("esm", {"index.mjs": "export const handler = async (event) => ({ doubled: event.x * 2 });\n"},
           handler="index.handler", runtime="nodejs22.x")
    assert invoke_json(lam, "esm", {"x": 21})[1] == {"doubled": 42}


def test_aws_sdk_v2_inside_node_reaches_lowcloud(cloud, lam, deploy, gateway_url, node_sdk_modules):
    """The v2 SDK ignores AWS_ENDPOINT_URL; lowcloud's bootstrap points it at the gateway."""
    ddb = cloud.client("dynamodb")
    ddb.create_table(TableName="results", KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
                     AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}], BillingMode="PAY_PER_REQUEST")
    app = """
const DynamoDB = require("aws-sdk/clients/dynamodb");
const client = new DynamoDB();
exports.lambdaHandler = async (event, context) => {
  await client.putItem({ TableName: "results", Item: { id: { S: event.id }, by: { S: context.functionName } } }).promise();
  const got = await client.getItem({ TableName: "results", Key: { id: { S: event.id } } }).promise();
  return got.Item;
};
"""
    deploy("store-result", {"app.js": app}, handler="app.lambdaHandler", runtime="nodejs18.x", Timeout=30,
           Environment={"Variables": {"NODE_PATH": node_sdk_modules}})
    out, body = invoke_json(lam, "store-result", {"id": "w1"})
    assert body == {"id": {"S": "w1"}, "by": {"S": "store-result"}}, body
    stored = ddb.get_item(TableName="results", Key={"id": {"S": "w1"}})["Item"]
    assert stored["by"] == {"S": "store-result"}
