"""The emulator's whole state: configuration, clock, tokens, the account and its workspaces."""

import threading

from ..aws.validation import AwsView
from ..clock import Clock
from .account import AccountBackend
from .auth import TokenStore

DEFAULT_CONFIG = {
    "provisioning_delay": 2.0,  # seconds a workspace stays PROVISIONING
    "workspace_deletion_seconds": 1.0,  # seconds a deleted workspace stays CANCELLING before GET answers 404
    "iam_propagation_seconds": 0.0,  # window after a role's creation during which credentials validation fails
    "cluster_start_seconds": 1.0,  # seconds a cluster stays PENDING/RESTARTING
    # seconds a workspace's API refuses every request after the workspace turns RUNNING ("does not have any
    # associated worker environments"); taken when the workspace is created (see EmulatorState.settling)
    "workspace_settle_seconds": 2.0,
    "log_delivery_enabled_limit": 2,  # enabled log delivery configurations per log type and scope
    "fail_next_workspace": None,  # message: the next created workspace ends FAILED with it
}


class EmulatorConfig(dict):
    """Tunable behaviour, changed at run time through ``POST /__sandbox/config``."""

    def update_from(self, body: dict) -> None:
        unknown = [k for k in body if k not in DEFAULT_CONFIG]
        if unknown:
            raise ValueError(f"unknown config keys: {unknown}")
        for key, value in body.items():
            if key == "fail_next_workspace":
                self[key] = value or None
            elif key == "log_delivery_enabled_limit":
                self[key] = int(value)
            else:
                self[key] = float(value)

    def pop_fail_next_workspace(self) -> str | None:
        message, self["fail_next_workspace"] = self.get("fail_next_workspace"), None
        return message


class EmulatorState:
    def __init__(self, account_id: str, client_id: str, client_secret: str, aws_endpoint: str, **config):
        self.account_id = account_id
        self.client_id = client_id
        self.client_secret = client_secret
        self.aws = AwsView(aws_endpoint)
        self.lock = threading.RLock()  # one request at a time mutates the state
        self.clock = Clock()
        self.base_config = dict(DEFAULT_CONFIG, **{k: v for k, v in config.items() if v is not None})
        # Hooks the server sets: start a workspace listener (returns its URL) and stop it.
        self.on_workspace_created = lambda ws: ""
        self.on_workspace_deleted = lambda workspace_id: None
        self._init()

    def _init(self):
        self.config = EmulatorConfig(self.base_config)
        self.tokens = TokenStore(self.clock)
        self.backends: dict = {}
        self.account = AccountBackend(self)

    def reset(self) -> None:
        for workspace_id in list(self.backends):
            self.detach_workspace(workspace_id)
        self.clock.reset()
        self._init()

    def attach_workspace(self, ws: dict, backend) -> None:
        self.backends[ws["workspace_id"]] = backend
        ws["_settle_seconds"] = float(self.config["workspace_settle_seconds"])
        ws["_url"] = self.on_workspace_created(ws)

    def detach_workspace(self, workspace_id: int) -> None:
        self.backends.pop(workspace_id, None)
        self.tokens.revoke_where(lambda t: t.workspace_id == workspace_id)
        self.on_workspace_deleted(workspace_id)

    def workspace_backend(self, workspace_id: int):
        return self.backends.get(workspace_id)

    def settling(self, ws: dict) -> float:
        """Seconds the RUNNING workspace ws still refuses API requests (0.0 once it serves them).

        A new workspace turns RUNNING before its control plane can serve it: for a while its URL
        may not resolve and every request is refused because no worker environment is associated
        with it yet (the Terraform provider probes the workspace after RUNNING before using it,
        mws/resource_mws_workspaces.go verifyWorkspaceReachable; the SDKs retry these replies,
        databricks-sdk _base_client.py _BaseClient._is_retryable). The window starts when the
        workspace turned RUNNING (``_ready_at``, emulator clock) and lasts the
        ``workspace_settle_seconds`` in force when the workspace was created.
        """
        if ws.get("workspace_status") != "RUNNING" or "_ready_at" not in ws:
            return 0.0
        return max(0.0, ws["_ready_at"] + ws.get("_settle_seconds", 0.0) - self.clock.now())
