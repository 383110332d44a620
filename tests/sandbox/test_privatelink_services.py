"""The PrivateLink endpoint services the network role creates endpoints to are the ones the emulator accepts
(two copies of Databricks' per-region list: the deployer's in roles/network, Databricks' side in the emulator)."""

import os

import yaml

from sandbox.databricks_emulator.models.catalog import PRIVATELINK_SERVICES
from tests.sandbox_harness import REPO


def test_the_network_role_and_the_emulator_list_the_same_services():
    with open(os.path.join(REPO, "roles", "network", "defaults", "main.yml"), encoding="utf-8") as handle:
        defaults = yaml.safe_load(handle)
    assert defaults["network_privatelink_services"] == PRIVATELINK_SERVICES
