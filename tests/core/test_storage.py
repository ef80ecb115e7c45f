"""Storage names are lowcloud's own; blob writes are atomic and survive reopening."""
import pytest

from lowcloud.storage import Storage


def test_unsafe_names_are_refused(tmp_path):
    storage = Storage(tmp_path)
    for bad in ("../x", "a/b", "..", ""):
        with pytest.raises(ValueError):
            storage.database(bad)
    with pytest.raises(ValueError):
        storage.blobs("s3").write("../escape", b"x")


def test_blob_roundtrip_on_disk(tmp_path):
    store = Storage(tmp_path).blobs("s3")
    assert store.write("abc123", [b"hello ", b"world"]) == 11
    assert Storage(tmp_path).blobs("s3").read("abc123") == b"hello world"
    assert not list(tmp_path.rglob("*.tmp"))


def test_database_persists(tmp_path):
    db = Storage(tmp_path).database("svc")
    db.script("CREATE TABLE t (k TEXT)")
    with db.transaction():
        db.execute("INSERT INTO t VALUES ('v')")
    db.close()
    assert Storage(tmp_path).database("svc").one("SELECT k FROM t") == ("v",)
