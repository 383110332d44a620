"""The network preflight (plugin_utils/network_preflight.py): each rule's message names the variable and the rule;
the layout (plugin_utils/network_layout.py)."""

import fnmatch

import pytest
from ansible_collections.lakehouse.databricks_aws.plugins.plugin_utils.network_layout import network_plan
from ansible_collections.lakehouse.databricks_aws.plugins.plugin_utils.network_preflight import network_input_errors

VALID = {
    "aws_region": "eu-west-1",
    "deployment_prefix": "lh-sandbox",
    "deployment_tags": {"Project": "lakehouse"},
    "network_vpc_cidr": "10.0.0.0/16",
    "network_private_subnet_cidrs": ["10.0.1.0/24", "10.0.2.0/24", "10.0.3.0/24"],
    "network_public_subnet_cidrs": ["10.0.101.0/24"],
    "network_availability_zones": ["eu-west-1a", "eu-west-1b", "eu-west-1c"],
    "network_nat_gateway_mode": "single",
    "network_flow_logs_traffic_type": "ALL",
    "network_flow_logs_max_aggregation_interval": 60,
    "network_vpc_endpoint_policies_enabled": False,
    "network_vpc_endpoint_policies": {},
    "network_tags": {},
}


def errors_for(**changes):
    return network_input_errors(dict(VALID, **changes))


def test_the_seed_defaults_are_valid():
    assert network_input_errors(VALID) == []


def test_not_a_dict():
    assert network_input_errors(["x"]) == ["network_input_errors: expected a dictionary of variable names and values"]


@pytest.mark.parametrize("changes, expected", [
    ({"network_vpc_cidr": "10.0.0.0/33"}, "network_vpc_cidr: '10.0.0.0/33' is not a valid IPv4 CIDR block"),
    ({"network_vpc_cidr": "10.0.0.1/16"}, "network_vpc_cidr: '10.0.0.1/16' is not a valid IPv4 CIDR block"),
    ({"network_vpc_cidr": "10.0.0.0/8"}, "network_vpc_cidr: 10.0.0.0/8 has a /8 mask; AWS allows VPC and subnet "
                                         "masks between /16 and /28"),
    ({"network_private_subnet_cidrs": ["10.1.1.0/24", "10.0.2.0/24"]},
     "network_private_subnet_cidrs[0]: 10.1.1.0/24 is not inside the VPC CIDR 10.0.0.0/16 (network_vpc_cidr)"),
    ({"network_private_subnet_cidrs": ["10.0.1.0/24", "10.0.1.0/25", "10.0.3.0/24"]},
     "network_private_subnet_cidrs[0]: 10.0.1.0/24 overlaps 10.0.1.0/25 (network_private_subnet_cidrs[1])"),
    ({"network_private_subnet_cidrs": ["10.0.1.0/28", "10.0.2.0/24"]},
     "network_private_subnet_cidrs[0]: 10.0.1.0/28 has a /28 mask; Databricks subnets need a mask between /17 and /26"),
    ({"network_private_subnet_cidrs": ["10.0.0.0/16", "10.0.2.0/24"]}, "has a /16 mask; Databricks subnets"),
    ({"network_private_subnet_cidrs": ["10.0.1.0/24"]},
     "network_private_subnet_cidrs: 1 subnet(s) given; Databricks needs at least 2"),
    ({"network_private_subnet_cidrs": "10.0.1.0/24"}, "network_private_subnet_cidrs: must be a list, got a string"),
    ({"network_public_subnet_cidrs": []}, "network_public_subnet_cidrs: at least one public subnet is needed"),
    ({"network_public_subnet_cidrs": ["10.0.2.0/24"]},
     "network_private_subnet_cidrs[1]: 10.0.2.0/24 overlaps 10.0.2.0/24 (network_public_subnet_cidrs[0])"),
    ({"network_public_subnet_cidrs": ["192.168.0.0/24"]}, "network_public_subnet_cidrs[0]: 192.168.0.0/24 is not "
                                                          "inside the VPC CIDR"),
    ({"network_availability_zones": ["eu-west-1a", "eu-west-1a", "eu-west-1a"]},
     "network_availability_zones: the private subnets (network_private_subnet_cidrs) are spread over 1 distinct "
     "availability zone(s)"),
    ({"network_availability_zones": ["us-east-1a", "eu-west-1b", "eu-west-1c"]},
     "network_availability_zones: 'us-east-1a' is not an availability zone of region eu-west-1"),
    ({"network_availability_zones": ["eu-west-1a", "eu-west-1b"]},
     "network_availability_zones: 2 zone(s) for 3 subnets in network_private_subnet_cidrs"),
    ({"network_availability_zones": "eu-west-1a"}, "network_availability_zones: must be a list"),
    ({"aws_region": "europe"}, "aws_region: 'europe' is not an AWS region name"),
    ({"aws_region": None}, "aws_region: None is not an AWS region name"),
    ({"deployment_prefix": ""}, "deployment_prefix: '' must be 1 to 63 letters"),
    ({"deployment_prefix": "has space"}, "deployment_prefix: 'has space' must be 1 to 63 letters"),
    ({"network_nat_gateway_mode": "double"}, "network_nat_gateway_mode: 'double' is not one of single, per_az"),
    ({"network_nat_gateway_mode": "per_az"}, "network_public_subnet_cidrs: network_nat_gateway_mode per_az puts a "
                                             "NAT gateway in the zone of each private subnet, so it needs 3 public "
                                             "subnets (one per zone), got 1"),
    ({"network_flow_logs_traffic_type": "SOME"}, "network_flow_logs_traffic_type: 'SOME' is not one of ACCEPT"),
    ({"network_flow_logs_max_aggregation_interval": 30}, "network_flow_logs_max_aggregation_interval: '30' is not "
                                                         "one of 60, 600"),
    ({"network_tags": {"aws:x": "y"}}, "network_tags: tag key 'aws:x' uses the reserved prefix 'aws:'"),
    ({"network_tags": {"k" * 129: "y"}}, "network_tags: tag key '" + "k" * 129 + "' must be a string of 1 to 128"),
    ({"deployment_tags": {"Owner": "v" * 257}}, "deployment_tags: value of tag 'Owner' must be a scalar of at most"),
    ({"network_tags": ["Name"]}, "network_tags: tags must be a dictionary"),
    ({"network_vpc_endpoint_policies_enabled": True, "network_vpc_endpoint_policies": {"s3": {"Statement": []}}},
     "network_vpc_endpoint_policies.s3: must be a policy document"),
    ({"network_vpc_endpoint_policies_enabled": True, "network_vpc_endpoint_policies": "x"},
     "network_vpc_endpoint_policies: must be a dictionary whose keys are among s3, sts, kinesis_streams, got a "
     "string"),
])
def test_each_rule_names_its_variable(changes, expected):
    errors = errors_for(**changes)
    assert any(expected in error for error in errors), errors


def test_subnets_are_still_checked_when_the_vpc_cidr_is_invalid():
    errors = errors_for(network_vpc_cidr="nope", network_private_subnet_cidrs=["10.0.1.0/33", "10.0.2.0/24"])
    assert any(e.startswith("network_vpc_cidr:") for e in errors)
    assert any(e.startswith("network_private_subnet_cidrs[0]:") for e in errors)


def test_per_az_with_a_public_subnet_per_zone_is_valid():
    assert errors_for(network_nat_gateway_mode="per_az",
                      network_public_subnet_cidrs=["10.0.101.0/24", "10.0.102.0/24", "10.0.103.0/24"]) == []


def test_two_zones_two_subnets_is_enough():
    assert errors_for(network_private_subnet_cidrs=["10.0.0.0/17", "10.0.128.0/18"],
                      network_public_subnet_cidrs=["10.0.192.0/24"],
                      network_availability_zones=["eu-west-1a", "eu-west-1b"]) == []


def test_plan_single_nat():
    plan = network_plan("lh", ["eu-west-1a", "eu-west-1b", "eu-west-1c"],
                        ["10.0.1.0/24", "10.0.2.0/24", "10.0.3.0/24"], ["10.0.101.0/24"], "single")
    assert [s["name"] for s in plan["subnets"]] == ["lh-private-eu-west-1a", "lh-private-eu-west-1b",
                                                    "lh-private-eu-west-1c", "lh-public-eu-west-1a"]
    assert plan["subnets"][3]["tier"] == "public" and plan["subnets"][2]["az"] == "eu-west-1c"
    assert plan["nat_gateways"] == [{"name": "lh-nat-eu-west-1a", "eip_name": "lh-nat-eip-eu-west-1a",
                                     "az": "eu-west-1a", "subnet_cidr": "10.0.101.0/24"}]
    assert plan["private_route_tables"] == [{"name": "lh-private-rt", "nat_index": 0,
                                             "subnet_cidrs": ["10.0.1.0/24", "10.0.2.0/24", "10.0.3.0/24"]}]


def test_plan_per_az():
    plan = network_plan("lh", ["eu-west-1a", "eu-west-1b"], ["10.0.1.0/24", "10.0.2.0/24"],
                        ["10.0.101.0/24", "10.0.102.0/24"], "per_az")
    assert [n["subnet_cidr"] for n in plan["nat_gateways"]] == ["10.0.101.0/24", "10.0.102.0/24"]
    assert [(r["name"], r["subnet_cidrs"], r["nat_index"]) for r in plan["private_route_tables"]] == [
        ("lh-private-rt-eu-west-1a", ["10.0.1.0/24"], 0), ("lh-private-rt-eu-west-1b", ["10.0.2.0/24"], 1)]


def test_every_name_of_the_plan_comes_from_one_table():
    names = network_plan("lh", ["eu-west-1a", "eu-west-1b"], ["10.0.1.0/24", "10.0.2.0/24"], ["10.0.101.0/24"])["names"]
    assert names == {
        "vpc": "lh-vpc", "internet_gateway": "lh-igw", "public_route_table": "lh-public-rt",
        "default_security_group": "lh-default-sg", "workspace_security_group": "lh-workspace-sg",
        "privatelink_security_group": "lh-privatelink",
        "privatelink_endpoints": {"workspace": "lh-privatelink-workspace", "relay": "lh-privatelink-relay"},
        "vpc_endpoints": {"s3": "lh-s3-endpoint", "sts": "lh-sts-endpoint",
                          "kinesis_streams": "lh-kinesis-streams-endpoint"},
        "flow_log": "lh-vpc-flow-log",
        "patterns": {"nat_gateways": "lh-nat-*", "elastic_ips": "lh-nat-eip-*", "vpc_endpoints": "lh-*-endpoint",
                     "privatelink_endpoints": "lh-privatelink-*", "all": "lh-*"},
    }


def test_the_patterns_find_every_zone_s_resources():
    plan = network_plan("lh", ["eu-west-1a", "eu-west-1b"], ["10.0.1.0/24", "10.0.2.0/24"],
                        ["10.0.101.0/24", "10.0.102.0/24"], "per_az")
    patterns = plan["names"]["patterns"]
    assert all(fnmatch.fnmatchcase(nat["name"], patterns["nat_gateways"]) for nat in plan["nat_gateways"])
    assert all(fnmatch.fnmatchcase(nat["eip_name"], patterns["elastic_ips"]) for nat in plan["nat_gateways"])
    assert all(fnmatch.fnmatchcase(endpoint, patterns["vpc_endpoints"])
               for endpoint in plan["names"]["vpc_endpoints"].values())
    assert not any(fnmatch.fnmatchcase(endpoint, patterns["vpc_endpoints"])
                   for endpoint in plan["names"]["privatelink_endpoints"].values())


def test_endpoint_policies_need_the_endpoints():
    policy = {"Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*", "Principal": "*"}]}
    inputs = {"aws_region": "eu-west-1", "deployment_prefix": "p", "network_vpc_cidr": "10.0.0.0/16",
              "network_private_subnet_cidrs": ["10.0.1.0/24", "10.0.2.0/24"],
              "network_public_subnet_cidrs": ["10.0.101.0/24"],
              "network_availability_zones": ["eu-west-1a", "eu-west-1b"], "network_nat_gateway_mode": "single",
              "network_vpc_endpoint_policies_enabled": True,
              "network_vpc_endpoint_policies": {"s3": policy, "sts": policy, "kinesis_streams": policy}}
    assert network_input_errors(dict(inputs, network_vpc_endpoints_enabled=True)) == []
    assert network_input_errors(dict(inputs, network_vpc_endpoints_enabled=False)) == [
        "network_vpc_endpoint_policies_enabled: true needs the VPC endpoints the policies apply to, but "
        "network_vpc_endpoints_enabled is false"]


def test_the_databricks_aws_account_id_is_twelve_digits():
    assert errors_for(network_databricks_aws_account_id="414351767826") == []
    assert errors_for(network_databricks_aws_account_id="414351767826\n") == [
        "network_databricks_aws_account_id: '414351767826\n' is not an AWS account id (12 digits)"]


def test_isolated_needs_privatelink_and_the_endpoints():
    services = {"eu-west-1": {"workspace": "com.amazonaws.vpce.eu-west-1.vpce-svc-1",
                              "relay": "com.amazonaws.vpce.eu-west-1.vpce-svc-2"}}
    isolated = dict(network_isolated=True, network_privatelink_enabled=True, network_vpc_endpoints_enabled=True,
                    network_privatelink_services=services)
    assert errors_for(**isolated) == []
    # no public subnet, and per_az does not need any: there is no NAT gateway
    assert errors_for(**{**isolated, "network_public_subnet_cidrs": [], "network_nat_gateway_mode": "per_az"}) == []
    assert errors_for(**{**isolated, "network_privatelink_enabled": False, "network_privatelink_services": {}}) == [
        "network_isolated: true needs network_privatelink_enabled: true (an isolated network has no route to the "
        "internet; the clusters reach Databricks only through PrivateLink)"]
    assert errors_for(**{**isolated, "network_vpc_endpoints_enabled": False}) == [
        "network_isolated: true needs network_vpc_endpoints_enabled: true (an isolated network has no route to the "
        "internet; the clusters reach S3, STS and Kinesis only through the VPC endpoints)"]
    assert errors_for(network_public_subnet_cidrs=[]) == [
        "network_public_subnet_cidrs: at least one public subnet is needed for the NAT gateway"]


REGIONAL = {"eu-west-1": {"artifacts": ["databricks-prod-artifacts-eu-west-1"],
                          "logs": "databricks-prod-storage-ireland"}}
BUCKETS = {"root": "lh-sandbox-rootbucket", "raw": "lh-sandbox-raw"}


def test_the_s3_endpoint_policy_needs_its_buckets():
    on = dict(network_vpc_endpoint_policies_enabled=True, network_vpc_endpoints_enabled=True,
              network_vpc_endpoint_policy_buckets=BUCKETS, network_databricks_regional_buckets=REGIONAL)
    assert errors_for(**on) == []
    assert errors_for(**{**on, "aws_region": "eu-north-1", "network_availability_zones": [
        "eu-north-1a", "eu-north-1b", "eu-north-1c"]}) == [
        "network_databricks_regional_buckets: no Databricks buckets (artifacts, system_tables, datasets, logs) for "
        "aws_region eu-north-1, so the S3 endpoint policy would keep the clusters from Databricks' artifacts; add "
        "them (Databricks' SRA lists them by region) or set network_vpc_endpoint_policies.s3"]
    policy = {"Statement": [{"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "*"}]}
    own_policy = {**on, "network_databricks_regional_buckets": {}, "network_vpc_endpoint_policies": {"s3": policy}}
    assert errors_for(**own_policy) == []
    assert errors_for(**{**on, "network_vpc_endpoint_policy_buckets": {"raw": "lh-raw"}}) == [
        "network_vpc_endpoint_policy_buckets: needs root, the workspace root bucket (Databricks' account reaches it "
        "through the S3 endpoint)"]
    assert errors_for(**{**on, "network_vpc_endpoint_policies": {"dynamodb": policy}}) == [
        "network_vpc_endpoint_policies.dynamodb: not an endpoint of the role (s3, sts, kinesis_streams)"]
    # an invalid region is reported once, as such
    assert errors_for(**{**on, "aws_region": "europe-1"}) == [
        "aws_region: 'europe-1' is not an AWS region name such as eu-west-1"]
    # without policies, nothing of this is read
    off = {**on, "network_vpc_endpoint_policies_enabled": False, "network_databricks_regional_buckets": {}}
    assert errors_for(**off) == []
