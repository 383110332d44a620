"""results_by_item: a registered loop's results as a dictionary (plugin_utils/loop_results.py)."""

import pytest
from ansible.errors import AnsibleFilterError
from ansible_collections.lakehouse.databricks_aws.plugins.plugin_utils.loop_results import results_by_item

CMKS = {"results": [
    {"item": {"name": "storage"}, "customer_managed_key_id": "cmk-1", "changed": True},
    {"item": {"name": "managed_services"}, "customer_managed_key_id": "cmk-2"},
    {"item": {"name": "logging"}, "skipped": True},
]}


def test_by_an_item_attribute_from_the_registered_variable_or_its_results():
    expected = {"storage": "cmk-1", "managed_services": "cmk-2"}
    assert results_by_item(CMKS, "name", "customer_managed_key_id") == expected
    assert results_by_item(CMKS["results"], "name", "customer_managed_key_id") == expected


def test_a_dotted_value_path_gives_none_past_its_first_step():
    results = [{"item": {"label": "allow"}, "ip_access_list": {"list_id": "l-1"}},
               {"item": {"label": "block"}, "ip_access_list": None},
               {"item": {"label": "skipped"}, "skipped": True}]
    assert results_by_item(results, "label", "ip_access_list.list_id") == {"allow": "l-1", "block": None}


def test_results_without_the_item_attribute_are_left_out():
    assert results_by_item([{"id": "g-1"}, {"item": {}, "id": "g-2"}, {"item": {"name": "a"}, "id": "g-3"}],
                           "name", "id") == {"a": "g-3"}


def test_nothing_registered_is_an_empty_dictionary():
    assert results_by_item({}, "name", "id") == {}
    assert results_by_item([], "name", "id") == {}


def test_not_loop_results_is_an_error():
    with pytest.raises(AnsibleFilterError):
        results_by_item("x", "name", "id")
