"""The sandbox's delay profiles: short and strict by default, realistic on demand, every one passed on."""

import pytest

from sandbox import delays, launcher
from sandbox.databricks_emulator.models.state import DEFAULT_CONFIG


def test_every_delay_is_an_emulator_config_key():
    assert set(delays.DELAYS) <= set(DEFAULT_CONFIG)


def test_short_profile_is_the_default_and_every_delay_is_on():
    config = delays.delay_config(environ={})
    assert config == {key: short for key, (_env, short, _real) in delays.DELAYS.items()}
    assert all(0 < value <= 2 for value in config.values())  # strict, and fast enough for tests


def test_environment_overrides_one_short_delay():
    config = delays.delay_config(environ={"SANDBOX_IAM_PROPAGATION_SECONDS": "0"})
    assert config["iam_propagation_seconds"] == 0 and config["provisioning_delay"] == 2


def test_realistic_profile_scaled_keeps_the_ratios():
    real = delays.delay_config("realistic", environ={})
    tenth = delays.delay_config(environ={"SANDBOX_DELAYS": "realistic", "SANDBOX_DELAY_SCALE": "0.1"})
    assert real["provisioning_delay"] == 240 and real["cluster_start_seconds"] == 300
    assert tenth == pytest.approx({key: value / 10 for key, value in real.items()})
    with pytest.raises(ValueError, match="short or realistic"):
        delays.delay_config("slow", environ={})


def test_launcher_passes_every_delay_to_the_emulator(monkeypatch):
    monkeypatch.setenv("SANDBOX_DELAYS", "realistic")
    monkeypatch.setenv("SANDBOX_DELAY_SCALE", "0.5")
    command = next(s for s in launcher.services() if s.name == "databricks").command()
    for key, (_env, _short, realistic) in delays.DELAYS.items():
        assert float(command[command.index("--" + key.replace("_", "-")) + 1]) == realistic * 0.5


def test_aws_delays_follow_the_same_profiles():
    from sandbox.aws_server import CONFIG

    assert set(delays.AWS_DELAYS) <= set(CONFIG)
    short = delays.aws_delay_config(environ={})
    assert all(0 < value <= 1 for value in short.values())  # each NAT creation waits one poll (5 s) in tests
    assert delays.aws_delay_config(environ={"SANDBOX_NAT_GATEWAY_PENDING_SECONDS": "0"}) == {
        "nat_gateway_pending_seconds": 0}
    tenth = delays.aws_delay_config(environ={"SANDBOX_DELAYS": "realistic", "SANDBOX_DELAY_SCALE": "0.1"})
    assert tenth == pytest.approx({key: real / 10 for key, (_env, _short, real) in delays.AWS_DELAYS.items()})


def test_launcher_passes_every_aws_delay_to_moto(monkeypatch):
    monkeypatch.setenv("SANDBOX_DELAYS", "realistic")
    monkeypatch.setenv("SANDBOX_DELAY_SCALE", "0.5")
    command = next(s for s in launcher.services() if s.name == "aws").command()
    for key, (_env, _short, realistic) in delays.AWS_DELAYS.items():
        assert float(command[command.index("--" + key.replace("_", "-")) + 1]) == realistic * 0.5
