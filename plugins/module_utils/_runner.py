# -*- coding: utf-8 -*-
# Copyright: Lakehouse platform maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""How every module of the collection ends: a runner returns the result, main() exits once.

    def run(module):                # the module's logic: returns the result dict
        ...
        if wrong:
            raise ModuleFailure("what is wrong and what to do", error_code="...", other_key=...)
        return dict(changed=True, ...)

    def main():
        module = AnsibleAWSModule(argument_spec=..., supports_check_mode=True)
        run_module(module, run)

``run_module`` calls ``module.exit_json(**result)`` once, or once ``module.fail_json(msg, **result)``
for a ``ModuleFailure`` the runner raised; a failure that carries a botocore error
(``aws_error``) goes to ``fail_json_aws`` instead, so the result holds AWS's error code and
message as amazon.aws's modules report them. Helpers raise ``ModuleFailure`` and return values;
none of them exits, so nothing after a helper call runs by accident and no SystemExit is used as
control flow. The Databricks modules use it through ``DatabricksModule.run``.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type


class ModuleFailure(Exception):
    """The module cannot do what it was asked: msg and the result's other keys, for main's one fail_json.

    aws_error: the botocore ClientError/BotoCoreError behind it (reported with fail_json_aws).
    """

    def __init__(self, msg, aws_error=None, **result):
        super(ModuleFailure, self).__init__(msg)
        self.msg = msg
        self.aws_error = aws_error
        self.result = result


def run_module(module, runner):
    """Exit module once: exit_json with the dict runner(module) returns, or fail_json for its ModuleFailure."""
    try:
        result = runner(module)
    except ModuleFailure as failure:
        if failure.aws_error is not None:
            module.fail_json_aws(failure.aws_error, msg=failure.msg, **failure.result)
        else:
            module.fail_json(msg=failure.msg, **failure.result)
    else:
        module.exit_json(**result)
