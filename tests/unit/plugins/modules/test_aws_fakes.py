"""Runs one of the collection's AWS modules with its boto3 client faked at the AnsibleAWSModule.client seam.

``run_aws_module`` runs a module's main() under ``patch_module_args`` with ``AnsibleAWSModule.client``
returning the fake behind amazon.aws's retrying wrapper, and returns the module's one exit (``ModuleExit``:
its result as Ansible reads it, and whether it failed; ``run_main``) and the retry decorators the module
asked for.
Shared by test_vpc_endpoint.py, test_vpc_flow_log.py, test_iam_estate_info.py, test_kms_key_estate_info.py.
"""

from collections import namedtuple
from unittest import mock

from ansible.module_utils.testing import patch_module_args
from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule
from ansible_collections.amazon.aws.plugins.module_utils.retries import AWSRetry, RetryingBotoClientWrapper
from test_module_exit import run_main

ModuleExit = namedtuple("ModuleExit", ["result", "failed"])


def run_aws_module(main, fake, service, args):
    """(ModuleExit, retry decorators passed to client()) of main() run with args against fake."""
    decorators = []

    def client(module, name, retry_decorator=None, **kwargs):
        assert name == service
        decorators.append(retry_decorator)
        return RetryingBotoClientWrapper(fake, retry_decorator or AWSRetry.jittered_backoff())

    with patch_module_args(args), mock.patch.object(AnsibleAWSModule, "client", client):
        result = run_main(main)
    return ModuleExit(result, bool(result.get("failed"))), decorators
