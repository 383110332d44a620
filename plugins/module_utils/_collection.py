# -*- coding: utf-8 -*-
# Copyright: Lakehouse platform maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The collection's identity as its modules report it (the product and version of the Databricks user agent).

A module runs from its AnsiballZ payload, which carries module_utils but not galaxy.yml or MANIFEST.json,
so the version is written here once; tests/unit/test_versions.py keeps it equal to galaxy.yml's version
(amazon.aws keeps AMAZON_AWS_COLLECTION_VERSION the same way).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

COLLECTION_NAME = "lakehouse.databricks_aws"
COLLECTION_VERSION = "0.1.0"
USER_AGENT_PRODUCT = "lakehouse-databricks-aws"
