"""The misspelt-variable check (filter unknown_variables) and the argument specs over a host's variables (filter
argument_spec_errors): plugins/plugin_utils/role_variables.py."""

import os

import pytest
import yaml
from ansible.errors import AnsibleUndefinedVariable
from ansible_collections.lakehouse.databricks_aws.plugins.plugin_utils import role_variables as r

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), *[os.pardir] * 4)


def read(path):
    if not os.path.exists(path):
        return {}
    with open(path, encoding="utf-8") as handle:
        return yaml.safe_load(handle) or {}


BASE = {"aws_region": "eu-west-1", "deployment_prefix": "lh-test"}


def test_a_misspelt_role_variable_is_named_with_the_closest_known_name():
    [message] = r.unknown_variables(
        {"network_nat_gatway_mode": "single", "aws_region": "eu-west-1"}, "network", "sandbox"
    )
    assert message.startswith(
        "network_nat_gatway_mode (host sandbox): the lakehouse.databricks_aws.network role has no such variable"
    )
    assert message.endswith("did you mean network_nat_gateway_mode?")


def test_a_misspelt_inventory_level_variable_is_named_by_every_role():
    for role in r.ROLES:
        [message] = r.unknown_variables(["deployment_prefx"], role)
        assert message.startswith("deployment_prefx: no inventory-level variable")
        assert message.endswith("did you mean deployment_prefix?")


def test_a_name_far_from_any_known_one_has_no_suggestion():
    [message] = r.unknown_variables(["iam_zzzzzzzzzzzzzzzzzzzzzzzzzzzz"], "iam")
    assert message.endswith("no known name is close to it")


def test_only_the_prefix_of_the_role_is_checked():
    assert (
        r.unknown_variables(["iam_nat_gatway_mode", "databricks_client_id", "aws_region", "storage_x"], "network") == []
    )


@pytest.mark.parametrize("role", r.ROLES)
def test_every_documented_default_and_vars_name_of_the_role_is_known(role):
    names = set()
    specs = read(os.path.join(ROOT, "roles", role, "meta", "argument_specs.yml"))["argument_specs"]
    for entry_point in specs.values():
        names.update(entry_point.get("options") or {})
    for folder in ("defaults", "vars"):
        path = os.path.join(ROOT, "roles", role, folder, "main.yml")
        names.update(read(path))
    names = {name for name in names if name.startswith((role + "_", "deployment_"))}
    assert names and r.unknown_variables(sorted(names), role) == []


# Results the roles register and facts they set carry the roles' prefixes and sit in hostvars next to the
# inventory's variables: none of them is reported.
@pytest.mark.parametrize(
    "name, role",
    [
        ("network_found", "network"),
        ("network_found_vpcs", "network"),
        ("network_outputs", "network"),
        ("iam_estate", "iam"),
        ("storage_encryption_found_buckets", "storage_encryption"),
        ("databricks_provisioning_ws", "databricks_provisioning"),
        ("databricks_management_terminated_clusters", "databricks_management"),
    ],
)
def test_names_the_roles_register_or_set_are_not_reported(name, role):
    assert name in r.runtime_variables()
    assert r.unknown_variables([name], role) == []


def test_register_and_set_fact_are_collected_from_blocks_too():
    names = set()
    r._set_in(
        [
            {
                "block": [{"register": "a_x"}, {"ansible.builtin.set_fact": {"b_y": 1, "cacheable": True}}],
                "rescue": [{"set_fact": {"c_z": 2}}],
                "always": [{"register": "d_w"}],
            }
        ],
        names,
    )
    assert names == {"a_x", "b_y", "c_z", "d_w"}


def test_the_inventories_of_the_repository_set_no_unknown_variable():
    for inventory in ("local", "dev", "multi"):
        for path in _yaml_files(os.path.join(ROOT, "inventories", inventory)):
            names = _variable_names(read(path))
            for role in r.ROLES:
                assert r.unknown_variables(sorted(names), role) == [], path


def _yaml_files(folder):
    for base, _folders, files in os.walk(folder):
        for name in files:
            if name.endswith((".yml", ".yaml")):
                yield os.path.join(base, name)


def _variable_names(data):
    """Variable names of a group_vars/host_vars file or of the hosts and vars of an inventory file."""
    if not isinstance(data, dict):
        return set()
    names = set()
    for key, value in data.items():
        if isinstance(value, dict) and ("hosts" in value or "children" in value or "vars" in value):
            names.update(value.get("vars") or {})
            for host_vars in (value.get("hosts") or {}).values():
                names.update(host_vars or {})
        else:
            names.add(key)
    return names


def test_warn_shows_each_message_as_a_warning(monkeypatch):
    shown = []
    from ansible.utils import display

    monkeypatch.setattr(display.Display, "warning", lambda self, message, *args, **kwargs: shown.append(message))
    messages = r.unknown_variables(["network_vpc_cidrr"], "network", "h", warn=True)
    assert [message + " (set deployment_strict_variables: true to fail instead)" for message in messages] == shown
    assert r.unknown_variables(["network_vpc_cidrr"], "network", "h") == messages and len(shown) == 1


def test_bad_inputs_of_the_filter_are_messages():
    assert r.unknown_variables(7, "network") == [
        "unknown_variables: expected a host's variables (hostvars[inventory_hostname]), got an integer"
    ]
    assert "not a role of the collection" in r.unknown_variables([], "nettwork")[0]


@pytest.mark.parametrize(
    "variables, message",
    [
        (
            {"network_tags": ["Owner"]},
            "argument 'network_tags' is of type list and we were unable to convert to dict: "
            "a list cannot be converted to a dict",
        ),
        (
            {"iam_tags": 7},
            "argument 'iam_tags' is of type int and we were unable to convert to dict: an integer cannot "
            "be converted to a dict",
        ),
        (
            {"network_enable_dns_hostnames": {"a": 1}},
            "argument 'network_enable_dns_hostnames' is of type dict and we "
            "were unable to convert to bool: a dictionary cannot be converted to "
            "a bool",
        ),
        (
            {"network_nat_gateway_mode": "none"},
            "value of network_nat_gateway_mode must be one of: single, per_az, got: none",
        ),
        (
            {"databricks_management_ip_access_lists": 7},
            "Value '7' in the sub parameter field 'databricks_management_ip_access_lists' must be a list, not 'int'",
        ),
    ],
)
def test_argument_spec_errors_are_ansibles_words_without_its_types(variables, message):
    assert message in r.argument_spec_errors(dict(BASE, **variables))


def test_argument_spec_errors_of_tagged_values_name_plain_types():
    from ansible._internal._datatag._tags import Origin

    origin = Origin(path="/inventory/hosts.yml")
    errors = r.argument_spec_errors(
        {
            **BASE,
            "network_tags": origin.tag(["Owner"]),
            "iam_tags": origin.tag(7),
            "deployment_skip_unchanged": origin.tag({"a": 1}),
        }
    )
    assert len(errors) == 3 and not any("_Ansible" in error or "<class" in error for error in errors), errors


def test_argument_spec_errors_check_only_what_the_host_sets():
    assert r.argument_spec_errors(BASE) == []
    assert r.argument_spec_errors(dict(BASE, network_vpc_cidr="10.0.0.0/16", unrelated=[1])) == []


def test_the_inventory_level_variables_without_default_are_required():
    assert r.argument_spec_errors({"deployment_prefix": None}) == [
        "aws_region: is required (the AWS region of the deployment, such as eu-west-1); set it in the inventory"
    ]


@pytest.mark.parametrize("value, kind", [(["AWS_ENDPOINT_URL"], "list"), ("http://moto", "str")])
def test_deployment_environment_is_a_dictionary(value, kind):
    [message] = r.argument_spec_errors(dict(BASE, deployment_environment=value))
    assert message.startswith(
        "argument 'deployment_environment' is of type %s and we were unable to convert to dict" % kind
    )


def test_a_value_that_does_not_render_is_left_to_the_role():
    class Failing(dict):
        """hostvars whose values fail to template, as Ansible reports it (an AnsibleError)."""

        def __getitem__(self, name):
            raise AnsibleUndefinedVariable("'undefined_thing' is undefined")

    assert r.argument_spec_errors(Failing(BASE, network_tags=1)) == []
