"""DynamoDB: put/get/batch_write/query/scan in-process against moto, the client's own ceiling, and HTTP put.

The ceiling is the same boto3 call answered at once with a recorded lowcloud response: the client's
own cost for the operation (serializing the request, parsing that response), with no server at all.
"""
from __future__ import annotations

from common import Result, lowcloud_cloud, moto_client, rate

TITLE = "DynamoDB"
N = 1000


def _table(ddb):
    ddb.create_table(TableName="bench", BillingMode="PAY_PER_REQUEST",
                     AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"},
                                           {"AttributeName": "sk", "AttributeType": "N"}],
                     KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}])
    ddb.get_waiter("table_exists").wait(TableName="bench", WaiterConfig={"Delay": 1})


def _item(i):
    return {"pk": {"S": f"p{i % 10}"}, "sk": {"N": str(i)}, "name": {"S": "x" * 40}, "n": {"N": str(i * 3)},
            "tags": {"SS": ["a", "b"]}}


def _key(i):
    return {"pk": {"S": f"p{i % 10}"}, "sk": {"N": str(i)}}


def _workload(ddb) -> dict:
    _table(ddb)
    out = {"put": rate(lambda i: ddb.put_item(TableName="bench", Item=_item(i)), N),
           "get": rate(lambda i: ddb.get_item(TableName="bench", Key=_key(i)), N)}
    batches = [[{"PutRequest": {"Item": _item(10000 + b * 25 + j)}} for j in range(25)] for b in range(40)]
    out["batch"] = rate(lambda i: ddb.batch_write_item(RequestItems={"bench": batches[i % 40]}), 40)
    values = lambda i: {":p": {"S": f"p{i % 10}"}, ":a": {"N": "0"}, ":b": {"N": "500"}}  # noqa: E731
    out["query"] = rate(lambda i: ddb.query(TableName="bench", KeyConditionExpression="pk = :p AND sk BETWEEN :a AND :b",
                                             ExpressionAttributeValues=values(i)), 100)
    out["scan"] = rate(lambda i: ddb.scan(TableName="bench", Limit=100), 100)
    return out


def _ceiling(cloud, ddb) -> dict:
    """The same calls with lowcloud replaced by a stub that hands back a recorded answer at once.

    What remains is the client's own work for that operation (serializing the
    request, parsing that very response): the most any in-process server allows.
    """
    from lowcloud.protocol.http import HttpResponse
    from lowcloud.protocol.inprocess import dispatcher_of
    dispatcher = dispatcher_of(cloud)
    real = dispatcher.handle
    recorded = {}

    def record(req):
        resp = real(req)
        recorded[req.headers["x-amz-target"]] = (resp.status, dict(resp.headers), resp.body_bytes())
        return HttpResponse(*recorded[req.headers["x-amz-target"]])
    dispatcher.handle = record
    ddb.put_item(TableName="bench", Item=_item(0))
    ddb.get_item(TableName="bench", Key=_key(0))
    dispatcher.handle = lambda req: HttpResponse(*recorded[req.headers["x-amz-target"]])
    try:
        return {"put": rate(lambda i: ddb.put_item(TableName="bench", Item=_item(i)), N),
                "get": rate(lambda i: ddb.get_item(TableName="bench", Key=_key(i)), N)}
    finally:
        dispatcher.handle = real


def _http_put(url: str) -> float:
    import boto3
    ddb = boto3.client("dynamodb", endpoint_url=url, region_name="us-east-1")
    _table(ddb)
    return rate(lambda i: ddb.put_item(TableName="bench", Item=_item(i)), 300)


def _http_pair() -> tuple[float, float]:
    import logging
    from moto.server import ThreadedMotoServer
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    from lowcloud.protocol.gateway import ServerThread
    cloud = lowcloud_cloud()
    server = ServerThread(cloud, port=0).start()
    try:
        ours = _http_put(server.url)
    finally:
        server.stop()
        cloud.close()
    moto = ThreadedMotoServer(port=0)
    moto.start()
    try:
        host, port = moto.get_host_and_port()
        peer = _http_put(f"http://{host}:{port}")
    finally:
        moto.stop()
    return ours, peer


def run() -> list[Result]:
    cloud = lowcloud_cloud()
    try:
        ddb = cloud.client("dynamodb")
        ours = _workload(ddb)
        ceiling = _ceiling(cloud, ddb)
    finally:
        cloud.close()
    with moto_client("dynamodb") as ddb:
        peer = _workload(ddb)
    http_ours, http_peer = _http_pair()
    return [
        Result("put_item, in-process", ours["put"], peer["put"], "ops/s", 2),
        Result("get_item, in-process", ours["get"], peer["get"], "ops/s", 2),
        Result("put_item vs the client's ceiling", ours["put"], ceiling["put"], "ops/s", 0.8, peer_name="ceiling"),
        Result("get_item vs the client's ceiling", ours["get"], ceiling["get"], "ops/s", 0.8, peer_name="ceiling"),
        Result("batch_write_item x25, in-process", ours["batch"], peer["batch"], "ops/s", 3),
        Result("query (50 items), in-process", ours["query"], peer["query"], "ops/s", 5),
        Result("scan Limit=100, in-process", ours["scan"], peer["scan"], "ops/s", 5),
        Result("put_item over HTTP", http_ours, http_peer, "ops/s", 2, peer_name="moto server"),
    ]
