"""How slowly the sandbox settles: the emulator's delays, short by default, realistic on demand.

Every delay the real services impose and the collection must survive has an emulator config key here, with
the environment variable the launcher reads, a short default (tests stay fast, and the code paths that wait
and retry still run on every test) and a realistic value (what a real account shows; sources in
docs/fidelity.md). ``SANDBOX_DELAYS=realistic`` starts the sandbox with the realistic values, multiplied by
``SANDBOX_DELAY_SCALE`` (default 1) so a benchmark can keep the ratios and shorten the run.

``DELAYS`` are the emulator's; ``AWS_DELAYS`` are the moto wrapper's (``sandbox/aws_server.py``: moto has no
delay of its own), passed on the same way and following the same profile and scale.
"""

import os

# config key: (environment variable, short default, realistic seconds)
DELAYS = {
    # PROVISIONING -> RUNNING of a new workspace (SDK WorkspacesAPI.create: "typically" minutes; 20 min waiters)
    "provisioning_delay": ("SANDBOX_PROVISIONING_DELAY", 2.0, 240.0),
    # refusals after RUNNING ("does not have any associated worker environments"; TFP verifyWorkspaceReachable)
    "workspace_settle_seconds": ("SANDBOX_WORKSPACE_SETTLE_SECONDS", 2.0, 60.0),
    # credentials and instance-profile validation refused after the role/profile is created (IAM propagation)
    "iam_propagation_seconds": ("SANDBOX_IAM_PROPAGATION_SECONDS", 2.0, 15.0),
    # CANCELLING -> gone of a deleted workspace (TFP WorkspacesAPI.Delete polls up to 15 min)
    "workspace_deletion_seconds": ("SANDBOX_WORKSPACE_DELETION_SECONDS", 1.0, 120.0),
    # PENDING -> RUNNING of a cluster (SDK ClustersAPI.create: asynchronous; waiters allow 20 min)
    "cluster_start_seconds": ("SANDBOX_CLUSTER_START_SECONDS", 1.0, 300.0),
}

# config key of the moto wrapper: (environment variable, short default, realistic seconds)
AWS_DELAYS = {
    # pending -> available of a new NAT gateway (EC2 API NatGateway.State "pending: being created";
    # observed 1-2 min, the Terraform AWS provider waits up to 10 min)
    "nat_gateway_pending_seconds": ("SANDBOX_NAT_GATEWAY_PENDING_SECONDS", 1.0, 120.0),
}


def delay_config(profile: str | None = None, scale: float | None = None, environ=None, table=None) -> dict:
    """The emulator config for a profile ("short" or "realistic"; default SANDBOX_DELAYS or short).

    In the short profile each environment variable overrides its default; the realistic profile takes the
    realistic values times the scale (default SANDBOX_DELAY_SCALE or 1). table: DELAYS (the emulator's, the
    default) or AWS_DELAYS (the moto wrapper's).
    """
    table = DELAYS if table is None else table
    environ = os.environ if environ is None else environ
    profile = profile or environ.get("SANDBOX_DELAYS") or "short"
    if profile not in ("short", "realistic"):
        raise ValueError(f"SANDBOX_DELAYS must be short or realistic, not {profile!r}")
    if profile == "realistic":
        scale = float(environ.get("SANDBOX_DELAY_SCALE", "1") if scale is None else scale)
        return {key: realistic * scale for key, (_env, _short, realistic) in table.items()}
    return {key: float(environ.get(env, short)) for key, (env, short, _realistic) in table.items()}


def aws_delay_config(profile: str | None = None, scale: float | None = None, environ=None) -> dict:
    """The moto wrapper's config for a profile, as delay_config."""
    return delay_config(profile, scale, environ, table=AWS_DELAYS)


def command_line(config: dict) -> list[str]:
    """The command-line flags for a delay config (``--provisioning-delay 2.0 ...``), the emulator's or moto's."""
    flags = []
    for key, value in config.items():
        flags += ["--" + key.replace("_", "-"), str(value)]
    return flags
