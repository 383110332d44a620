"""network_identity_errors: what AWS fixes at creation, compared with the deployed network."""

import pytest
from ansible.errors import AnsibleFilterError
from ansible_collections.lakehouse.databricks_aws.plugins.plugin_utils.network_identity import network_identity_errors
from ansible_collections.lakehouse.databricks_aws.plugins.plugin_utils.network_layout import network_plan

ZONES = ["eu-west-1a", "eu-west-1b"]
LAYOUT = network_plan("lh", ZONES, ["10.0.1.0/24", "10.0.2.0/24"], ["10.0.101.0/24"])


def subnet(name, cidr, zone, subnet_id):
    return {"subnet_id": subnet_id, "cidr_block": cidr, "availability_zone": zone, "tags": {"Name": name}}


def estate(vpc_cidr="10.0.0.0/16", subnets=None, matches=1):
    deployed = subnets if subnets is not None else [
        subnet("lh-private-eu-west-1a", "10.0.1.0/24", "eu-west-1a", "subnet-1"),
        subnet("lh-private-eu-west-1b", "10.0.2.0/24", "eu-west-1b", "subnet-2"),
        subnet("lh-public-eu-west-1a", "10.0.101.0/24", "eu-west-1a", "subnet-3")]
    return {"vpc": {"vpc_id": "vpc-1", "cidr_block": vpc_cidr} if matches == 1 else None, "vpc_matches": matches,
            "subnets": deployed if matches == 1 else []}


def test_the_deployed_network_as_wanted_and_a_new_one_pass():
    assert network_identity_errors(estate(), "lh", "10.0.0.0/16", LAYOUT) == []
    assert network_identity_errors({"vpc": None, "vpc_matches": 0, "subnets": []}, "lh", "10.1.0.0/16", LAYOUT) == []


def test_a_changed_vpc_cidr_is_refused_with_what_it_would_replace():
    errors = network_identity_errors(estate(), "lh", "10.1.0.0/16", LAYOUT)
    assert len(errors) == 1
    assert errors[0].startswith("network_vpc_cidr: 10.1.0.0/16 differs from 10.0.0.0/16, the CIDR block of the "
                                "deployed VPC lh-vpc (vpc-1); AWS cannot change it, so this run would build a second "
                                "VPC with its subnets, NAT gateways and endpoints and leave the first; keep "
                                "10.0.0.0/16, or to replace the network deliberately, run playbooks/destroy.yml")


def test_a_changed_subnet_cidr_names_its_variable_and_position():
    layout = network_plan("lh", ZONES, ["10.0.1.0/24", "10.0.3.0/24"], ["10.0.101.0/24"])
    errors = network_identity_errors(estate(), "lh", "10.0.0.0/16", layout)
    assert len(errors) == 1
    assert errors[0].startswith("network_private_subnet_cidrs[1]: 10.0.3.0/24 differs from 10.0.2.0/24, the CIDR "
                                "block of the deployed subnet lh-private-eu-west-1b (subnet-2)")


def test_a_subnet_moved_to_another_zone_is_refused():
    layout = network_plan("lh", ["eu-west-1b", "eu-west-1a"], ["10.0.1.0/24", "10.0.2.0/24"], ["10.0.101.0/24"])
    errors = network_identity_errors(estate(), "lh", "10.0.0.0/16", layout)
    assert errors[0].startswith("network_availability_zones: network_private_subnet_cidrs[0] would place "
                                "10.0.1.0/24 in eu-west-1b, but the deployed subnet lh-private-eu-west-1a (subnet-1) "
                                "with that CIDR block is in eu-west-1a")
    assert any(error.startswith("network_availability_zones: network_public_subnet_cidrs[0]") for error in errors)


def test_two_vpcs_of_the_same_name_are_refused():
    errors = network_identity_errors(estate(matches=2), "lh", "10.0.0.0/16", LAYOUT)
    assert errors == ["deployment_prefix: 2 VPCs are named lh-vpc; the network role manages one - delete the "
                      "others, or change their Name tag, first"]


def test_wrong_arguments_are_a_filter_error():
    with pytest.raises(AnsibleFilterError):
        network_identity_errors(None, "lh", "10.0.0.0/16", LAYOUT)
