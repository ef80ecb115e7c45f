"""The function API through a real boto3 client: create/read/update/delete, versions, aliases,
policies, tags, concurrency, layers, and AWS's errors."""
from __future__ import annotations

import base64
import hashlib
import json

import pytest
from botocore.exceptions import ClientError

from lambda_helpers import invoke_json, make_zip

CODE = {"app.py": "def handler(event, context):\n    return {'v': 1}\n"}


def error_of(excinfo) -> tuple[str, str, int]:
    err = excinfo.value.response
    return err["Error"]["Code"], err["Error"]["Message"], err["ResponseMetadata"]["HTTPStatusCode"]


def test_create_function_answers_pending_then_reads_active(lam, deploy, cloud):
    out = deploy("f", CODE, Timeout=10, MemorySize=256, Description="d", Environment={"Variables": {"A": "1"}})
    zipped = make_zip(CODE)
    assert out["State"] == "Pending" and out["StateReasonCode"] == "Creating"
    assert out["FunctionArn"] == "arn:aws:lambda:us-east-1:000000000000:function:f"
    assert out["CodeSha256"] == base64.b64encode(hashlib.sha256(zipped).digest()).decode()
    assert out["CodeSize"] == len(zipped) and out["Version"] == "$LATEST"
    assert (out["Timeout"], out["MemorySize"], out["Environment"]) == (10, 256, {"Variables": {"A": "1"}})
    assert out["LoggingConfig"] == {"LogFormat": "Text", "LogGroup": "/aws/lambda/f"}
    got = lam.get_function(FunctionName="f")
    assert got["Configuration"]["State"] == "Active"
    assert got["Configuration"]["LastUpdateStatus"] == "Successful"
    assert got["Code"]["RepositoryType"] == "S3"


def test_create_function_errors_match_aws(lam, deploy, role):
    deploy("dup", CODE)
    with pytest.raises(ClientError) as exc:
        deploy("dup", CODE)
    assert error_of(exc) == ("ResourceConflictException", "Function already exist: dup", 409)
    with pytest.raises(ClientError) as exc:
        lam.create_function(FunctionName="bad", Runtime="python3.12", Role=role, Handler="a.b",
                            Code={"ZipFile": b"not a zip"})
    assert error_of(exc)[:2] == ("InvalidParameterValueException",
                                 "Could not unzip uploaded file. Please check your file, then try to upload again.")
    with pytest.raises(ClientError) as exc:
        lam.create_function(FunctionName="norole", Runtime="python3.12", Handler="a.b", Code={"ZipFile": make_zip(CODE)},
                            Role="arn:aws:iam::000000000000:role/missing")
    assert error_of(exc)[:2] == ("InvalidParameterValueException",
                                 "The role defined for the function cannot be assumed by Lambda.")
    with pytest.raises(ClientError) as exc:
        deploy("reserved", CODE, Environment={"Variables": {"AWS_REGION": "x"}})
    assert "Reserved keys used in this request: AWS_REGION" in error_of(exc)[1]
    with pytest.raises(ClientError) as exc:
        deploy("x" * 65, CODE)
    assert error_of(exc)[0] == "ValidationException"


def test_get_missing_function_is_404_with_arn(lam):
    with pytest.raises(ClientError) as exc:
        lam.get_function_configuration(FunctionName="ghost")
    assert error_of(exc) == ("ResourceNotFoundException",
                             "Function not found: arn:aws:lambda:us-east-1:000000000000:function:ghost", 404)


def test_update_code_and_configuration_change_what_runs(lam, deploy):
    deploy("upd", CODE)
    assert invoke_json(lam, "upd")[1] == {"v": 1}
    out = lam.update_function_code(FunctionName="upd", ZipFile=make_zip({"app.py": "def handler(e, c):\n    return 2\n"}))
    assert out["LastUpdateStatus"] == "InProgress"
    assert invoke_json(lam, "upd")[1] == 2
    lam.update_function_configuration(FunctionName="upd", Handler="app.other", Timeout=5)
    config = lam.get_function_configuration(FunctionName="upd")
    assert (config["Handler"], config["Timeout"], config["LastUpdateStatus"]) == ("app.other", 5, "Successful")
    with pytest.raises(ClientError) as exc:
        lam.update_function_configuration(FunctionName="upd", RevisionId="stale")
    assert error_of(exc)[0] == "PreconditionFailedException"


def test_list_and_delete_functions_with_paging(lam, deploy):
    for name in ("a1", "a2", "a3"):
        deploy(name, CODE)
    first = lam.list_functions(MaxItems=2)
    assert [f["FunctionName"] for f in first["Functions"]] == ["a1", "a2"]
    assert "State" not in first["Functions"][0], "ListFunctions leaves the state fields to GetFunction"
    second = lam.list_functions(Marker=first["NextMarker"])
    assert [f["FunctionName"] for f in second["Functions"]] == ["a3"] and "NextMarker" not in second
    lam.delete_function(FunctionName="a2")
    assert [f["FunctionName"] for f in lam.list_functions()["Functions"]] == ["a1", "a3"]
    with pytest.raises(ClientError):
        lam.delete_function(FunctionName="a2")


def test_versions_and_aliases_route_invocations(lam, deploy):
    deploy("ver", CODE)
    v1 = lam.publish_version(FunctionName="ver")
    assert v1["Version"] == "1" and v1["FunctionArn"].endswith(":ver:1")
    assert lam.publish_version(FunctionName="ver")["Version"] == "1"  # nothing changed: same version
    lam.update_function_code(FunctionName="ver", ZipFile=make_zip({"app.py": "def handler(e, c):\n    return 'two'\n"}))
    assert lam.publish_version(FunctionName="ver", Description="second")["Version"] == "2"
    versions = [v["Version"] for v in lam.list_versions_by_function(FunctionName="ver")["Versions"]]
    assert versions == ["$LATEST", "1", "2"]
    alias = lam.create_alias(FunctionName="ver", Name="live", FunctionVersion="1")
    assert alias["AliasArn"].endswith(":ver:live")
    out, body = invoke_json(lam, "ver", Qualifier="live")
    assert body == {"v": 1} and out["ExecutedVersion"] == "1"
    assert invoke_json(lam, "ver:2")[0]["ExecutedVersion"] == "2"
    lam.update_alias(FunctionName="ver", Name="live", FunctionVersion="2")
    assert invoke_json(lam, "ver", Qualifier="live")[1] == "two"
    with pytest.raises(ClientError) as exc:
        lam.delete_function(FunctionName="ver", Qualifier="2")
    assert error_of(exc)[0] == "ResourceConflictException"
    with pytest.raises(ClientError) as exc:
        lam.create_alias(FunctionName="ver", Name="live", FunctionVersion="1")
    assert error_of(exc)[0] == "ResourceConflictException"
    with pytest.raises(ClientError) as exc:
        lam.get_alias(FunctionName="ver", Name="nope")
    assert error_of(exc)[0] == "ResourceNotFoundException"


def test_permissions_build_the_resource_policy(lam, deploy):
    deploy("pol", CODE)
    added = lam.add_permission(FunctionName="pol", StatementId="AllowExecuteFromCloudWatch",
                               Action="lambda:InvokeFunction", Principal="events.amazonaws.com",
                               SourceArn="arn:aws:events:us-east-1:000000000000:rule/every5")
    statement = json.loads(added["Statement"])
    assert statement == {"Sid": "AllowExecuteFromCloudWatch", "Effect": "Allow",
                         "Principal": {"Service": "events.amazonaws.com"}, "Action": "lambda:InvokeFunction",
                         "Resource": "arn:aws:lambda:us-east-1:000000000000:function:pol",
                         "Condition": {"ArnLike": {"AWS:SourceArn": "arn:aws:events:us-east-1:000000000000:rule/every5"}}}
    policy = json.loads(lam.get_policy(FunctionName="pol")["Policy"])
    assert policy["Version"] == "2012-10-17" and policy["Statement"] == [statement]
    with pytest.raises(ClientError) as exc:
        lam.add_permission(FunctionName="pol", StatementId="AllowExecuteFromCloudWatch",
                           Action="lambda:InvokeFunction", Principal="s3.amazonaws.com")
    assert error_of(exc)[0] == "ResourceConflictException"
    lam.remove_permission(FunctionName="pol", StatementId="AllowExecuteFromCloudWatch")
    with pytest.raises(ClientError) as exc:
        lam.get_policy(FunctionName="pol")
    assert error_of(exc) == ("ResourceNotFoundException", "The resource you requested does not exist.", 404)


def test_tags_on_functions(lam, deploy):
    arn = deploy("tagged", CODE, Tags={"team": "data"})["FunctionArn"]
    lam.tag_resource(Resource=arn, Tags={"env": "dev"})
    assert lam.list_tags(Resource=arn)["Tags"] == {"team": "data", "env": "dev"}
    lam.untag_resource(Resource=arn, TagKeys=["team"])
    assert lam.get_function(FunctionName="tagged")["Tags"] == {"env": "dev"}


def test_reserved_concurrency_settings(lam, deploy):
    deploy("conc", CODE)
    out = lam.put_function_concurrency(FunctionName="conc", ReservedConcurrentExecutions=3)
    assert out["ReservedConcurrentExecutions"] == 3
    assert lam.get_function_concurrency(FunctionName="conc")["ReservedConcurrentExecutions"] == 3
    assert lam.get_function(FunctionName="conc")["Concurrency"] == {"ReservedConcurrentExecutions": 3}
    assert lam.get_account_settings()["AccountLimit"]["UnreservedConcurrentExecutions"] == 997
    with pytest.raises(ClientError) as exc:
        lam.put_function_concurrency(FunctionName="conc", ReservedConcurrentExecutions=950)
    assert "below its minimum value of [100]" in error_of(exc)[1]
    lam.delete_function_concurrency(FunctionName="conc")
    assert "ReservedConcurrentExecutions" not in lam.get_function_concurrency(FunctionName="conc")


def test_layers_publish_list_and_land_on_the_path(lam, deploy):
    layer = lam.publish_layer_version(LayerName="shared", CompatibleRuntimes=["python3.12"],
                                      Content={"ZipFile": make_zip({"python/helper.py": "WORD = 'from layer'\n"})})
    assert layer["Version"] == 1 and layer["LayerVersionArn"].endswith(":layer:shared:1")
    listed = lam.list_layers()["Layers"]
    assert [x["LayerName"] for x in listed] == ["shared"]
    assert listed[0]["LatestMatchingVersion"]["Version"] == 1
    deploy("uses-layer", {"app.py": "import helper\ndef handler(e, c):\n    return helper.WORD\n"},
           Layers=[layer["LayerVersionArn"]])
    assert invoke_json(lam, "uses-layer")[1] == "from layer"
    with pytest.raises(ClientError) as exc:
        deploy("bad-layer", CODE, Layers=["arn:aws:lambda:us-east-1:000000000000:layer:shared:9"])
    assert error_of(exc)[0] == "InvalidParameterValueException"


def test_event_invoke_config_round_trip(lam, deploy):
    deploy("evc", CODE)
    out = lam.put_function_event_invoke_config(FunctionName="evc", MaximumRetryAttempts=0,
                                               MaximumEventAgeInSeconds=60)
    assert (out["MaximumRetryAttempts"], out["MaximumEventAgeInSeconds"]) == (0, 60)
    assert out["FunctionArn"].endswith(":evc:$LATEST")
    lam.update_function_event_invoke_config(FunctionName="evc", MaximumRetryAttempts=1)
    got = lam.get_function_event_invoke_config(FunctionName="evc")
    assert (got["MaximumRetryAttempts"], got["MaximumEventAgeInSeconds"]) == (1, 60)
    lam.delete_function_event_invoke_config(FunctionName="evc")
    with pytest.raises(ClientError):
        lam.get_function_event_invoke_config(FunctionName="evc")


def test_code_from_s3_and_from_a_local_directory(cloud, lam, role, tmp_path):
    s3 = cloud.client("s3")
    s3.create_bucket(Bucket="artifacts")
    s3.put_object(Bucket="artifacts", Key="fn.zip", Body=make_zip({"app.py": "def handler(e, c):\n    return 's3'\n"}))
    lam.create_function(FunctionName="from-s3", Runtime="python3.12", Role=role, Handler="app.handler",
                        Code={"S3Bucket": "artifacts", "S3Key": "fn.zip"})
    assert invoke_json(lam, "from-s3")[1] == "s3"
    with pytest.raises(ClientError) as exc:
        lam.create_function(FunctionName="no-key", Runtime="python3.12", Role=role, Handler="app.handler",
                            Code={"S3Bucket": "artifacts", "S3Key": "missing.zip"})
    code, message, _ = error_of(exc)
    assert code == "InvalidParameterValueException"
    assert message.startswith("Error occurred while GetObject. S3 Error Code: NoSuchKey. S3 Error Message:")
    source = tmp_path / "src"
    (source / "pkg").mkdir(parents=True)
    (source / "pkg" / "handler.py").write_text("def main(e, c):\n    return 'dir'\n")
    service = cloud.service("lambda")
    service.call("lambda", "create_function", {"FunctionName": "from-dir", "Runtime": "python3.12", "Role": role,
                                               "Handler": "pkg/handler.main", "Code": {"Directory": str(source)}})
    assert invoke_json(lam, "from-dir")[1] == "dir"
    with pytest.raises(ClientError) as exc:
        lam.create_function(FunctionName="no-code", Runtime="python3.12", Role=role, Handler="a.b", Code={})
    assert error_of(exc)[:2] == ("InvalidParameterValueException", "Please provide a source for function code.")


def test_node_layer_lands_in_node_modules(lam, deploy):
    layer = lam.publish_layer_version(LayerName="node-lib", Content={"ZipFile": make_zip(
        {"nodejs/node_modules/greeter/index.js": "module.exports = (n) => `hello ${n}`;\n"})})
    deploy("node-layer", {"index.js": "const greet = require('greeter');\n"
                                      "exports.handler = async (e) => greet(e.name);\n"},
           handler="index.handler", runtime="nodejs20.x", Layers=[layer["LayerVersionArn"]])
    assert invoke_json(lam, "node-layer", {"name": "lowcloud"})[1] == "hello lowcloud"


def test_get_function_code_location_downloads_the_zip(cloud, gateway_url, role):
    import io
    import zipfile

    import requests
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("app.py", "def handler(event, context):\n    return 1\n")
    lam = cloud.client("lambda")
    lam.create_function(FunctionName="zipped", Runtime="python3.12", Role=role,
                        Handler="app.handler", Code={"ZipFile": buf.getvalue()})
    location = lam.get_function(FunctionName="zipped")["Code"]["Location"]
    assert location.startswith(gateway_url)
    got = requests.get(location, timeout=10)
    assert got.status_code == 200
    assert zipfile.ZipFile(io.BytesIO(got.content)).read("app.py").startswith(b"def handler")
    assert requests.get(gateway_url + "/_lowcloud/lambda/us-east-1/code/nope", timeout=10).status_code == 404
