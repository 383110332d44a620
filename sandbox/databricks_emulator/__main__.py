"""``python -m sandbox.databricks_emulator --port 4580 --aws-endpoint http://127.0.0.1:4566``

Credentials come from the environment only: DATABRICKS_EMULATOR_ACCOUNT_ID,
DATABRICKS_EMULATOR_CLIENT_ID, DATABRICKS_EMULATOR_CLIENT_SECRET.
"""

import argparse
import logging
import os
import signal
import sys
import threading

from ..delays import DELAYS
from .models.state import DEFAULT_CONFIG
from .server import EmulatorServer


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m sandbox.databricks_emulator", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--host", default="127.0.0.1", help="loopback address to listen on")
    parser.add_argument("--port", type=int, default=4580, help="account API port")
    parser.add_argument("--aws-endpoint", default="http://127.0.0.1:4566", help="moto server URL")
    for key, (env, _short, _realistic) in DELAYS.items():  # the launcher passes them (sandbox/delays.py)
        parser.add_argument("--" + key.replace("_", "-"), type=float, default=DEFAULT_CONFIG[key],
                            help=f"emulator config {key} (the launcher sets it from {env})")
    parser.add_argument("--log-level", default="INFO")
    args = parser.parse_args(argv)
    logging.basicConfig(stream=sys.stderr, level=args.log_level.upper(),
                        format="%(asctime)s %(name)s %(levelname)s %(message)s")
    missing = [v for v in ("DATABRICKS_EMULATOR_ACCOUNT_ID", "DATABRICKS_EMULATOR_CLIENT_ID",
                           "DATABRICKS_EMULATOR_CLIENT_SECRET") if not os.environ.get(v)]
    if missing:
        parser.error(f"missing environment variables: {', '.join(missing)}")
    try:
        server = EmulatorServer(
            aws_endpoint=args.aws_endpoint, host=args.host, port=args.port,
            account_id=os.environ["DATABRICKS_EMULATOR_ACCOUNT_ID"],
            client_id=os.environ["DATABRICKS_EMULATOR_CLIENT_ID"],
            client_secret=os.environ["DATABRICKS_EMULATOR_CLIENT_SECRET"],
            **{key: getattr(args, key) for key in DELAYS}).start()
    except (OSError, ValueError) as exc:
        logging.getLogger("databricks_emulator").error("cannot start: %s", exc)
        return 1
    stopping = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stopping.set())
    stopping.wait()
    logging.getLogger("databricks_emulator").info("stopping")
    server.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
