"""Static catalogues a workspace serves: Spark versions, node types, workspace-conf keys."""

SPARK_VERSIONS = [
    ("17.3.x-scala2.13", "17.3 LTS (includes Apache Spark 4.0.0, Scala 2.13)"),
    ("17.2.x-scala2.13", "17.2 (includes Apache Spark 4.0.0, Scala 2.13)"),
    ("16.4.x-scala2.12", "16.4 LTS (includes Apache Spark 3.5.2, Scala 2.12)"),
    ("16.4.x-scala2.13", "16.4 LTS (includes Apache Spark 3.5.2, Scala 2.13)"),
    ("16.4.x-photon-scala2.12", "16.4 LTS Photon (includes Apache Spark 3.5.2, Scala 2.12)"),
    ("16.4.x-cpu-ml-scala2.12", "16.4 LTS ML (includes Apache Spark 3.5.2, Scala 2.12)"),
    ("16.4.x-gpu-ml-scala2.12", "16.4 LTS ML (includes Apache Spark 3.5.2, GPU, Scala 2.12)"),
    ("16.3.x-scala2.12", "16.3 (includes Apache Spark 3.5.2, Scala 2.12)"),
    ("15.4.x-scala2.12", "15.4 LTS (includes Apache Spark 3.5.0, Scala 2.12)"),
    ("15.4.x-cpu-ml-scala2.12", "15.4 LTS ML (includes Apache Spark 3.5.0, Scala 2.12)"),
    ("14.3.x-scala2.12", "14.3 LTS (includes Apache Spark 3.5.0, Scala 2.12)"),
    ("13.3.x-scala2.12", "13.3 LTS (includes Apache Spark 3.4.1, Scala 2.12)"),
]

# (node type, category, cores, memory GiB, local disks, local disk GiB, nvme disks, nvme GiB, graviton)
_NODE_TYPES = [
    ("m5.large", "General Purpose", 2, 8, 0, 0, 0, 0, False),
    ("m5.xlarge", "General Purpose", 4, 16, 0, 0, 0, 0, False),
    ("m5.2xlarge", "General Purpose", 8, 32, 0, 0, 0, 0, False),
    ("m5d.large", "General Purpose", 2, 8, 0, 0, 1, 75, False),
    ("m5d.xlarge", "General Purpose", 4, 16, 0, 0, 1, 150, False),
    ("m6i.xlarge", "General Purpose", 4, 16, 0, 0, 0, 0, False),
    ("m6gd.large", "General Purpose", 2, 8, 0, 0, 1, 118, True),
    ("r5.large", "Memory Optimized", 2, 16, 0, 0, 0, 0, False),
    ("r5.xlarge", "Memory Optimized", 4, 32, 0, 0, 0, 0, False),
    ("r5d.large", "Memory Optimized", 2, 16, 0, 0, 1, 75, False),
    ("c5.xlarge", "Compute Optimized", 4, 8, 0, 0, 0, 0, False),
    ("c5.2xlarge", "Compute Optimized", 8, 16, 0, 0, 0, 0, False),
    ("i3.xlarge", "Storage Optimized", 4, 30.5, 0, 0, 1, 950, False),
    ("i3.2xlarge", "Storage Optimized", 8, 61, 0, 0, 1, 1900, False),
    ("g4dn.xlarge", "GPU Accelerated", 4, 16, 0, 0, 1, 125, False),
    # Listed but not usable (see NODE_STATUS): r4.large sorts before r5.large (2 cores, 15.25 GiB, no local
    # disk), so a selection that ignores node_info.status picks it for the default cluster spec.
    ("r4.large", "Memory Optimized", 2, 15.25, 0, 0, 0, 0, False),
    ("p4d.24xlarge", "GPU Accelerated", 96, 1152, 0, 0, 8, 1000, False),
    ("x2iedn.xlarge", "Memory Optimized", 4, 128, 0, 0, 1, 118, False),
]

# node_info.status of node types the cloud provider does not offer to this workspace. The values are the
# databricks-sdk CloudProviderNodeStatus spellings (service/compute.py: NotAvailableInRegion,
# NotEnabledOnSubscription; real list-node-types replies carry them, e.g. terraform-provider-databricks
# issue #1533). Databricks lists such node types but refuses clusters on them.
NODE_STATUS = {
    "r4.large": ["NotAvailableInRegion"],
    "p4d.24xlarge": ["NotEnabledOnSubscription"],
    "x2iedn.xlarge": ["NotAvailableInRegion", "NotEnabledOnSubscription"],
}

_GPUS = {"g4dn.xlarge": 1, "p4d.24xlarge": 8}


def node_types() -> list[dict]:
    out = []
    for order, (name, category, cores, mem, disks, disk_gb, nvme, nvme_gb, graviton) in enumerate(_NODE_TYPES):
        instance = {"instance_type_id": name, "local_disks": disks, "local_disk_size_gb": disk_gb,
                    "local_nvme_disks": nvme, "local_nvme_disk_size_gb": nvme_gb}
        out.append({
            "node_type_id": name, "instance_type_id": name, "category": category, "num_cores": float(cores),
            "memory_mb": int(mem * 1024), "description": f"{name} ({category}: {cores} cores, {mem} GB)",
            "display_order": order, "is_deprecated": False, "is_hidden": False, "is_graviton": graviton,
            "is_io_cache_enabled": bool(nvme), "is_encrypted_in_transit": False, "num_gpus": _GPUS.get(name, 0),
            "support_ebs_volumes": True, "support_cluster_tags": True, "support_port_forwarding": True,
            "photon_driver_capable": True, "photon_worker_capable": True, "node_instance_type": instance})
        if name in NODE_STATUS:
            out[-1]["node_info"] = {"status": list(NODE_STATUS[name])}
    return out


def node_type_unavailable(node_type_id: str) -> list[str]:
    """The node_info.status values that make a listed node type unusable ([] when it can be used)."""
    return list(NODE_STATUS.get(node_type_id, []))


NODE_TYPE_IDS = {n[0] for n in _NODE_TYPES}
SPARK_VERSION_KEYS = {k for k, _ in SPARK_VERSIONS}

# Workspace-conf keys the emulator accepts; booleans are the strings "true"/"false".
WORKSPACE_CONF_DEFAULTS = {
    "maxTokenLifetimeDays": None, "enableTokensConfig": "true", "enableIpAccessLists": "false",
    "enableDeprecatedGlobalInitScripts": "false", "enableDcs": "false", "enableWebTerminal": "false",
    "enableResultsDownloading": "true", "enableNotebookTableClipboard": "true", "enableVerboseAuditLogs": "false",
    "enableDbfsFileBrowser": "false", "enableExportNotebook": "true", "enableUploadDataUis": "true",
    "enforceUserIsolation": "false", "storeInteractiveNotebookResultsInCustomerAccount": "false",
    "enableJobViewAcls": "true", "enableWorkspaceFilesystem": "true", "enableEnforceImdsV2": "true",
    "enableGp3": "true", "enableClusterAclsConfig": "true", "enableHlsRuntime": "false",
    "enableProjectTypeInWorkspace": "true", "enable-X-Frame-Options": "true",
    "enable-X-Content-Type-Options": "true", "enable-X-XSS-Protection": "true", "enableFileStoreEndpoint": "true",
    "mlflowRunArtifactDownloadEnabled": "true", "enableNotebookGitVersioning": "true",
}

# Databricks' AWS PrivateLink endpoint services by region (docs.databricks.com, "PrivateLink" supported regions):
# the workspace service (front-end and back-end REST API) and the secure cluster connectivity relay.
PRIVATELINK_SERVICES = {
    region: {"workspace": f"com.amazonaws.vpce.{region}.vpce-svc-{workspace}",
             "relay": f"com.amazonaws.vpce.{region}.vpce-svc-{relay}"}
    for region, workspace, relay in (
        ("ap-northeast-1", "02691fd610d24fd64", "02aa633bda3edbec0"),
        ("ap-northeast-2", "0babb9bde64f34d7e", "0dc0e98a5800db5c4"),
        ("ap-southeast-1", "02535b257fc253ff4", "0557367c6fc1a0c5c"),
        ("ap-southeast-2", "0b87155ddd6954974", "0b4a72e8f825495f6"),
        ("ca-central-1", "0205f197ec0e28d65", "0c4e25bdbcbfbb684"),
        ("eu-central-1", "081f78503812597f7", "08e5dfca9572c85c4"),
        ("eu-west-1", "0da6ebf1461278016", "09b4eb2bc775f4e8c"),
        ("eu-west-2", "01148c7cdc1d1326c", "05279412bf5353a45"),
        ("eu-west-3", "008b9368d1d011f37", "005b039dd0b5f857d"),
        ("sa-east-1", "0bafcea8cdfe11b66", "0e61564963be1b43f"),
        ("us-east-1", "09143d1e626de2f04", "00018a8c3ff62ffdf"),
        ("us-east-2", "041dc2b4d7796b8d3", "090a8fab0d73e39a6"),
        ("us-west-2", "0129f463fcfbc46c5", "0158114c0c730c3bb"),
    )
}
