"""IAM test fixtures: the in-process IAM client."""
import pytest


@pytest.fixture
def iam(cloud):
    return cloud.client("iam")
