"""The callback plan_summary: how a result is classified, what counts once, and the summary's lines."""

from ansible_collections.lakehouse.databricks_aws.plugins.callback import plan_summary as ps

CREATE = ps.CREATE
CHANGE = ps.CHANGE
DELETE = ps.DELETE


def item(label, **result):
    """A loop item's result as the callback sees it."""
    return dict(
        result, _ansible_item_label=label, ansible_loop_var="item", item={}, changed=result.get("changed", True)
    )


def summary_of(results, check_mode=False, host="h", role="r"):
    summary = ps.RunSummary(check_mode=check_mode)
    summary.role_ran(host, role)
    for action, result, *rest in results:
        summary.add(host, role, action, "a task", result, rest[0] if rest else None)
    return summary


def resources(summary, host="h", role="r"):
    return {name: r.action for name, r in summary.roles[host][role].items()}


# --- one result --------------------------------------------------------------------------------------------------
def test_state_absent_is_a_destroy():
    summary = summary_of(
        [
            ("lakehouse.databricks_aws.databricks_token", {"changed": True}, {"state": "absent"}),
            (
                "amazon.aws.s3_bucket",
                {"changed": True, "invocation": {"module_args": {"name": "b", "state": "absent"}}},
            ),
        ]
    )
    assert resources(summary) == {"a task": DELETE, "b": DELETE}


def test_the_diff_tells_create_change_and_destroy():
    results = [
        ("x.y.databricks_group", {"changed": True, "diff": {"before": {}, "after": {"a": 1}}}, {"display_name": "new"}),
        (
            "x.y.databricks_group",
            {"changed": True, "diff": {"before": {"a": 0}, "after": {"a": 1}}},
            {"display_name": "old"},
        ),
        ("x.y.ec2_vpc_endpoint", {"changed": True, "diff": [{"before": {"e": 1}, "after": {}}]}, {"name": "gone"}),
    ]
    assert resources(summary_of(results)) == {"new": CREATE, "old": CHANGE, "gone": DELETE}


def test_a_diff_of_every_policy_of_a_role_is_read_at_the_policy():
    diff = {"before": {"first": {"S": 1}}, "after": {"first": {"S": 1}, "second": {"S": 2}}}
    summary = summary_of([("amazon.aws.iam_policy", item("role/second", diff=diff), {"policy_name": "second"})])
    assert resources(summary) == {"role/second": CREATE}


def test_each_entry_of_a_list_taking_module_counts_as_a_loop_item_would():
    schemas = {"changed": True, "invocation": {"module_args": {"catalog_name": "lh"}},
               "schemas": [{"name": "raw", "changed": True, "schema": {"name": "raw"}},
                           {"name": "gold", "changed": True, "schema": {"name": "gold"}},
                           {"name": "same", "changed": False, "schema": {"name": "same"}}],
               "diff": {"before": {"raw": {}, "gold": {"comment": "a"}, "same": {"comment": "b"}},
                        "after": {"raw": {"comment": "c"}, "gold": {"comment": "d"}, "same": {"comment": "b"}}}}
    grants = {"changed": True, "securables": [
        {"securable_type": "external_location", "full_name": "lh-raw", "changed": True, "grants": {}, "changes": []}],
        "diff": {"before": {"external_location lh-raw": {"grants": {}}},
                 "after": {"external_location lh-raw": {"grants": {"g": ["READ_FILES"]}}}}}
    locations = {"changed": True, "locations": [{"name": "lh-old", "changed": True, "external_location": None}]}
    summary = summary_of([("x.y.databricks_schema", schemas), ("x.y.databricks_grants", grants),
                          ("x.y.databricks_external_location", locations, {"state": "absent"})])
    assert resources(summary) == {"lh.raw": CREATE, "lh.gold": CHANGE, "lh-raw": CHANGE, "lh-old": DELETE}
    failed = summary_of([("x.y.databricks_schema", dict(schemas, failed=True))])
    assert resources(failed) == {}
    arn = "arn:aws:kms:eu-west-1:123456789012:key/k-1"
    keys = {"changed": True, "configurations": [
        {"key_arn": arn, "use_cases": ["STORAGE"], "name": "storage", "changed": True, "customer_managed_key": None},
        {"key_arn": arn, "use_cases": ["MANAGED_SERVICES"], "changed": False, "customer_managed_key": {}}],
        "diff": {"before": {arn + " ['STORAGE']": None, arn + " ['MANAGED_SERVICES']": {"key_arn": arn}},
                 "after": {arn + " ['STORAGE']": {"key_arn": arn}, arn + " ['MANAGED_SERVICES']": {"key_arn": arn}}}}
    assert resources(summary_of([("x.y.databricks_account_customer_managed_key", keys)])) == {"storage": CREATE}


def test_a_writer_labelled_create_creates():
    summary = summary_of([("amazon.aws.s3_bucket", item("lh-raw: create, encryption", name="lh-raw"))])
    assert resources(summary) == {"lh-raw": CREATE}


def test_an_aws_id_no_earlier_result_held_is_a_create_one_read_before_a_change():
    summary = ps.RunSummary()
    summary.add("h", "network", "lakehouse.databricks_aws.ec2_vpc_estate_info", "read", {"vpcs": [{"id": "vpc-0ld"}]})
    summary.add(
        "h",
        "network",
        "amazon.aws.ec2_vpc_net",
        "VPC",
        {"changed": True, "vpc": {"id": "vpc-0ld"}},
        {"name": "old-vpc"},
    )
    summary.add(
        "h",
        "network",
        "amazon.aws.ec2_vpc_subnet",
        "subnets",
        item("lh-private-1a 10.0.1.0/24", subnet={"id": "subnet-1", "vpc_id": "vpc-0ld"}),
    )
    assert resources(summary, role="network") == {"old-vpc": CHANGE, "lh-private-1a": CREATE}


def test_in_check_mode_a_result_without_the_object_is_a_create():
    results = [
        ("amazon.aws.iam_role", item("lh-meta-role")),
        (
            "amazon.aws.ec2_vpc_net",
            {"changed": True, "msg": "VPC would be created if not in check mode"},
            {"name": "vpc"},
        ),
        ("amazon.aws.ec2_vpc_route_table", item("rt-a", route_table={"id": "rtb-xxxxxxxx"})),
        ("amazon.aws.ec2_vpc_route_table", item("rt-b", route_table={"id": "rtb-xxxxxxxx"})),
    ]
    assert resources(summary_of(results, check_mode=True)) == {
        "lh-meta-role": CREATE,
        "vpc": CREATE,
        "rt-a": CREATE,
        "rt-b": CREATE,
    }


def test_the_default_security_group_is_changed_never_created():
    result = {"changed": True, "diff": {"before": {}, "after": {"group_name": "default"}}}
    assert resources(summary_of([("amazon.aws.ec2_security_group", result, {"name": "default"})])) == {
        "default": CHANGE
    }


def test_no_log_and_diffless_results_are_changes_the_summary_says_it_could_not_tell():
    summary = summary_of(
        [
            ("x.y.databricks_token", {"changed": True, "censored": "hidden"}),
            ("x.y.databricks_cluster", {"changed": True, "cluster_id": "c-1"}, {"cluster_name": "c"}),
        ]
    )
    assert resources(summary) == {"a task": CHANGE, "c": CHANGE}
    assert summary.unclassified("h", "r") == 2
    (line, *_rest) = summary.lines()
    assert line.startswith("Applied: h r: 0 added, 2 changed, 0 destroyed (2 of the changes without a diff")


# --- reports and predictions ----------------------------------------------------------------------------------------
def test_reports_count_only_as_check_mode_predictions():
    report = item("role lh-meta-role: create", msg={"resource": "role", "name": "lh-meta-role", "action": "create"})
    facts = {"changed": True, "ansible_facts": {"x": 1}}
    real = summary_of(
        [
            ("ansible.builtin.debug", report),
            ("ansible.builtin.set_fact", facts),
            ("ansible.builtin.assert", {"changed": True}),
        ]
    )
    assert resources(real) == {}
    planned = summary_of([("ansible.builtin.debug", report), ("ansible.builtin.set_fact", facts)], check_mode=True)
    assert resources(planned) == {"lh-meta-role": CREATE}
    assert planned.roles["h"]["r"]["lh-meta-role"].kind == "role"


def test_prediction_actions_from_the_message():
    results = [
        ("debug", item("k: tags", msg={"key": "alias/k", "action": "update"})),
        ("debug", item("p", msg="would put inline policy p on the new role r")),
        ("debug", item("b", msg="would delete bucket b with every object version")),
    ]
    assert resources(summary_of(results, check_mode=True)) == {"alias/k": CHANGE, "p": CREATE, "b": DELETE}


def test_a_resource_counts_once_with_its_strongest_action_and_the_modules_kind():
    results = [
        ("debug", item("alias/lh-datalake: create", msg={"key": "alias/lh-datalake", "action": "create"})),
        ("amazon.aws.kms_key", item("alias/lh-datalake")),
        ("amazon.aws.s3_bucket", item("lh-logs: create, tags", name="lh-logs")),
        ("amazon.aws.s3_lifecycle", item("lh-logs: lifecycle present", name="lh-logs")),
    ]
    summary = summary_of(results, check_mode=True)
    assert resources(summary) == {"alias/lh-datalake": CREATE, "lh-logs": CREATE}
    assert summary.roles["h"]["r"]["alias/lh-datalake"].kind == "kms_key"


def test_unchanged_and_failed_results_do_not_count():
    summary = summary_of(
        [("amazon.aws.kms_key", item("k", changed=False)), ("amazon.aws.kms_key", item("f", failed=True))]
    )
    assert resources(summary) == {}


# --- names ----------------------------------------------------------------------------------------------------------
def test_label_names():
    assert ps.label_name("role lh-meta-role: create") == "lh-meta-role"
    assert ps.label_name("inline policy lh-role/databricks-meta: policy") == "lh-role/databricks-meta"
    assert ps.label_name("lh-private-eu-west-1a 10.0.1.0/24") == "lh-private-eu-west-1a"
    assert ps.label_name("Read only") == "Read only"
    assert ps.resource_name({"tags": {"Name": "lh-igw"}}, "Internet gateway") == "lh-igw"
    assert ps.resource_name({}, "Internet gateway") == "Internet gateway"


# --- the summary ----------------------------------------------------------------------------------------------------
def test_plan_lines_per_host_and_role_with_a_total():
    summary = ps.RunSummary(check_mode=True)
    summary.role_ran("h", "network")
    summary.add(
        "h",
        "network",
        "amazon.aws.ec2_vpc_net",
        "VPC",
        {"changed": True, "msg": "VPC would be created"},
        {"name": "lh-vpc"},
    )
    summary.role_ran("h", "iam")
    summary.add("h", "validate_only", "ansible.builtin.assert", "preflight", {"changed": False})
    assert summary.lines() == [
        "Plan: h network: 1 to add, 0 to change, 0 to destroy",
        "    + ec2_vpc_net lh-vpc",
        "Plan: h iam: 0 to add, 0 to change, 0 to destroy",
        "Plan: h total: 1 to add, 0 to change, 0 to destroy",
    ]
    assert summary.lines(show_resources=False)[0] == "Plan: h network: 1 to add, 0 to change, 0 to destroy"


def test_applied_lines():
    summary = summary_of(
        [("x.y.databricks_group", {"changed": True, "diff": {"before": {}, "after": {"a": 1}}}, {"display_name": "g"})]
    )
    assert summary.lines() == [
        "Applied: h r: 1 added, 0 changed, 0 destroyed",
        "    + databricks_group g",
        "Applied: h total: 1 added, 0 changed, 0 destroyed",
    ]


# --- creation times -------------------------------------------------------------------------------------------------
def test_an_object_created_since_the_run_started_was_created_by_it():
    started = 1796227700.0
    summary = ps.RunSummary(started=started)
    summary.role_ran("h", "r")
    for name, module, result in (
        ("new-creds", "databricks_account_credentials", {"credentials": {"creation_time": 1796227739713}}),
        ("old-creds", "databricks_account_credentials", {"credentials": {"creation_time": 1696227739713}}),
        ("new-key", "kms_key", {"creation_date": "2026-12-02T16:08:53.759594+00:00", "key_id": "k-1"}),
        ("new-cluster", "databricks_cluster", {"cluster": {"start_time": 1796227758249}}),
        ("old-role", "iam_role", {"iam_role": {"create_date": "2020-01-01T00:00:00Z", "role_id": "AROA1"}}),
    ):
        summary.add("h", "r", module, name, dict(result, changed=True))
    assert resources(summary) == {
        "new-creds": CREATE,
        "old-creds": CHANGE,
        "new-key": CREATE,
        "new-cluster": CREATE,
        "old-role": CHANGE,
    }
    assert summary.unclassified("h", "r") == 0


def test_creation_times_are_not_read_in_check_mode():
    summary = ps.RunSummary(check_mode=True, started=0.0)
    summary.add(
        "h",
        "r",
        "databricks_account_credentials",
        "c",
        {"changed": True, "credentials": {"creation_time": 1796227739713, "credentials_id": "x"}},
    )
    assert summary.roles["h"]["r"]["c"].known is False


def test_timestamps():
    assert ps.timestamp(1796227739713) == 1796227739.713
    assert ps.timestamp(1700000000) == 1700000000.0
    assert ps.timestamp("2026-12-02T16:08:38+00:00") == ps.timestamp("2026-12-02T16:08:38Z")
    assert ps.timestamp("2026-12-02T16:08:38") == ps.timestamp("2026-12-02T16:08:38Z")
    assert ps.timestamp("soon") is None
    assert ps.timestamp(True) is None


def test_every_vpc_endpoint_new_is_a_create_one_seen_before_a_change():
    summary = ps.RunSummary()
    summary.add("h", "r", "ec2_vpc_estate_info", "read", {"endpoints": [{"id": "vpce-old"}]})
    summary.add("h", "r", "ec2_vpc_endpoint", "a", {"changed": True, "vpc_endpoint_ids": ["vpce-1", "vpce-2"]})
    summary.add("h", "r", "ec2_vpc_endpoint", "b", {"changed": True, "vpc_endpoint_ids": ["vpce-3", "vpce-old"]})
    summary.add("h", "r", "ec2_vpc_flow_log", "c", {"changed": True, "flow_log_id": "fl-1"})
    assert resources(summary) == {"a": CREATE, "b": CHANGE, "c": CREATE}
