from ansible_collections.lakehouse.databricks_aws.plugins.module_utils import _validation as v


def test_valid_subnets_have_no_errors():
    assert v.check_subnets("vpc", "10.0.0.0/16", "subnets", ["10.0.1.0/24", "10.0.2.0/24"], (17, 26)) == []


def test_subnet_outside_vpc_overlapping_and_bad_mask_are_each_named():
    errors = v.check_subnets("vpc", "10.0.0.0/16", "subnets", ["10.1.0.0/24", "10.0.0.0/28", "10.0.0.0/24"], (17, 26))
    assert any("subnets[0]" in e and "not inside" in e for e in errors)
    assert any("subnets[1]" in e and "/28 mask" in e for e in errors)
    assert any("subnets[1]" in e and "overlaps" in e for e in errors)


def test_invalid_cidr_is_reported():
    assert "not a valid IPv4 CIDR" in v.check_subnets("vpc", "10.0.0.0/33", "subnets", [])[0]


def test_availability_zones_must_be_in_region_and_distinct():
    assert v.check_availability_zones("azs", ["eu-west-1a", "eu-west-1b"], "eu-west-1") == []
    errors = v.check_availability_zones("azs", ["us-east-1a", "us-east-1a"], "eu-west-1")
    assert any("not an availability zone of region eu-west-1" in e for e in errors)
    assert any("at least 2" in e for e in errors)


def test_bucket_names():
    assert v.check_bucket_name("b", "lh-sandbox-raw") == []
    assert "lowercase" in v.check_bucket_name("b", "Has_Upper")[0]
    assert "3 to 63" in v.check_bucket_name("b", "ab")[0]
    assert "IP address" in v.check_bucket_name("b", "192.168.1.1")[0]


def test_tags_and_positive_int():
    assert v.check_tags("t", {"a": "b"}) == []
    assert "reserved prefix" in v.check_tags("t", {"aws:x": "b"})[0]
    assert "dictionary" in v.check_tags("t", ["a"])[0]
    assert v.check_positive_int("days", 30) == []
    assert v.check_positive_int("days", 0) and v.check_positive_int("days", True)


def test_region():
    assert v.check_region("r", "eu-west-1") == []
    assert v.check_region("r", "europe")
