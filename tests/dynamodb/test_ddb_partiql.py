"""ExecuteStatement / BatchExecuteStatement / ExecuteTransaction basics through boto3."""
from __future__ import annotations

import pytest
from ddbcore_helpers import error_of


@pytest.fixture
def music(ddb, make_table):
    make_table("Music", hash=("Artist", "S"), range=("Song", "S"))
    for artist, song, year in [("Acme", "One", 2001), ("Acme", "Two", 2003), ("Band", "Three", 2003)]:
        ddb.put_item(TableName="Music", Item={"Artist": {"S": artist}, "Song": {"S": song}, "Year": {"N": str(year)}})
    return ddb


def run(ddb, statement, *parameters, **extra):
    kwargs = {"Statement": statement, **extra}
    if parameters:
        kwargs["Parameters"] = list(parameters)
    return ddb.execute_statement(**kwargs)


def test_select_query_scan_and_projection(music):
    out = run(music, "SELECT * FROM \"Music\" WHERE Artist = ? AND \"Year\" >= 2002", {"S": "Acme"})
    assert out["Items"] == [{"Artist": {"S": "Acme"}, "Song": {"S": "Two"}, "Year": {"N": "2003"}}]
    out = run(music, "SELECT Song FROM Music WHERE \"Year\" = 2003")
    assert sorted(i["Song"]["S"] for i in out["Items"]) == ["Three", "Two"]
    first = run(music, "SELECT Song FROM Music", Limit=2)
    rest = run(music, "SELECT Song FROM Music", NextToken=first["NextToken"])
    assert len(first["Items"]) + len(rest["Items"]) == 3


def test_insert_update_delete(music):
    run(music, "INSERT INTO Music VALUE {'Artist': 'Cog', 'Song': 'Four', 'Tags': <<'x', 'y'>>, 'Plays': 1}")
    code, msg, _ = error_of(run, music, "INSERT INTO Music VALUE {'Artist': 'Cog', 'Song': 'Four'}")
    assert (code, msg) == ("DuplicateItemException", "Duplicate primary key exists in table")
    out = run(music, "UPDATE Music SET Plays = Plays + 1 SET Note = ? WHERE Artist = 'Cog' AND Song = 'Four' "
                     "RETURNING ALL NEW *", {"S": "hi"})
    assert out["Items"][0]["Plays"] == {"N": "2"} and out["Items"][0]["Note"] == {"S": "hi"}
    code, _, _ = error_of(run, music, "UPDATE Music SET Plays = 5 WHERE Artist = 'Nobody' AND Song = 'X'")
    assert code == "ConditionalCheckFailedException"
    code, msg, _ = error_of(run, music, "DELETE FROM Music WHERE Artist = 'Cog' AND Song = 'Four' RETURNING ALL NEW *")
    assert msg == ("Invalid returning clause: RETURNING ALL NEW *. Only RETURNING ALL OLD * is allowed in DELETE "
                   "statements.")
    out = run(music, "DELETE FROM Music WHERE Artist = 'Cog' AND Song = 'Four' RETURNING ALL OLD *")
    assert out["Items"][0]["Tags"] == {"SS": ["x", "y"]}
    assert "Item" not in music.get_item(TableName="Music", Key={"Artist": {"S": "Cog"}, "Song": {"S": "Four"}})
    code, msg, _ = error_of(run, music, "DELETE FROM Music WHERE Artist = 'Cog'")
    assert msg == "Where clause does not contain a mandatory equality on all key attributes"


def test_statement_errors(music):
    code, msg, _ = error_of(run, music, "SELECT * FROM \"Music")
    assert code == "ValidationException" and msg.startswith("Statement wasn't well formed, can't be processed")
    code, msg, _ = error_of(run, music, "SELECT * FROM Nope WHERE Artist = 'a'")
    assert (code, msg) == ("ResourceNotFoundException", "Requested resource not found")
    code, msg, _ = error_of(run, music, "SELECT * FROM \"Music\".\"no-index\"")
    assert msg == "The table does not have the specified index"
    code, msg, _ = error_of(run, music, "SELECT * FROM Music WHERE Artist = ?")
    assert msg == "Number of parameters in request and statement don't match."


def test_batch_execute_and_transaction(music):
    out = music.batch_execute_statement(Statements=[
        {"Statement": "SELECT * FROM Music WHERE Artist = 'Acme' AND Song = 'One'"},
        {"Statement": "SELECT * FROM Music WHERE Artist = 'Acme'"}])
    assert out["Responses"][0]["Item"]["Year"] == {"N": "2001"}
    assert out["Responses"][1]["Error"]["Code"] == "ValidationError"
    code, msg, err = error_of(music.execute_transaction, TransactStatements=[
        {"Statement": "INSERT INTO Music VALUE {'Artist': 'New', 'Song': 'S'}"},
        {"Statement": "INSERT INTO Music VALUE {'Artist': 'Acme', 'Song': 'One'}"}])
    assert code == "TransactionCanceledException"
    assert [r["Code"] for r in err["CancellationReasons"]] == ["None", "DuplicateItem"]
    music.execute_transaction(TransactStatements=[
        {"Statement": "INSERT INTO Music VALUE {'Artist': 'New', 'Song': 'S'}"},
        {"Statement": "DELETE FROM Music WHERE Artist = 'Acme' AND Song = 'One'"}])
    assert run(music, "SELECT * FROM Music WHERE Artist = 'New'")["Items"][0]["Song"] == {"S": "S"}
    code, msg, _ = error_of(music.execute_transaction, TransactStatements=[
        {"Statement": "UPDATE Music SET x = 1 WHERE Artist = 'New' AND Song = 'S' RETURNING ALL NEW *"}])
    assert msg == "Validation failed in TransactStatements[0]: RETURNING clause is not supported in ExecuteTransaction."
