"""Policy linters over the deployment's policy documents, and the findings docs/security.md accepts.

parliament (duo-labs) lints each document; cloudsplaining (salesforce) scans the roles' identity policies as IAM's
GetAccountAuthorizationDetails returns them, for privilege escalation, data exfiltration, resource exposure,
credentials exposure, service wildcards and infrastructure modification. A finding is accepted only when the table
"Remaining findings" in docs/security.md lists it with its justification; the table is the one list, read by the
unit test (policies as the roles render them) and by the end-to-end test (policies as the sandbox holds them).

Documents are named by kind: ``trust:<role>``, ``inline:<role>:<policy>``, ``key:<key name>``,
``bucket:<logical bucket>``, ``vpce:<service>``; a table row's document is an fnmatch pattern over these names.
"""

import fnmatch
import json
import os
import re
from dataclasses import dataclass

from tests.sandbox_harness import REPO

SECURITY_DOC = os.path.join(REPO, "docs", "security.md")
TABLE_HEADING = "## Remaining findings"
MINIMUM_SEVERITY = "LOW"  # parliament's default
CLOUDSPLAINING_CATEGORIES = ("PrivilegeEscalation", "DataExfiltration", "ResourceExposure", "CredentialsExposure",
                             "ServiceWildcard", "InfrastructureModification")


@dataclass(frozen=True)
class Accepted:
    document: str  # fnmatch pattern over document names
    tool: str  # parliament | cloudsplaining
    finding: str  # parliament issue code or cloudsplaining category
    detail: str  # a substring of the finding's detail ('' = any)
    why: str

    def accepts(self, found):
        return (self.tool == found.tool and self.finding == found.finding
                and fnmatch.fnmatchcase(found.document, self.document) and self.detail in found.detail)


@dataclass(frozen=True)
class Found:
    document: str
    tool: str
    finding: str
    detail: str

    def __str__(self):
        return f"{self.document}: {self.tool} {self.finding} {self.detail}"


def _cell(text):
    return text.strip().strip("`").replace("\\|", "|")


def accepted_findings(path=SECURITY_DOC):
    """The rows of docs/security.md's "Remaining findings" table."""
    with open(path, encoding="utf-8") as handle:
        text = handle.read()
    section = text.split(TABLE_HEADING, 1)[1]
    section = re.split(r"^## ", section, maxsplit=1, flags=re.MULTILINE)[0]
    rows = []
    for line in section.splitlines():
        if not line.startswith("|") or set(line) <= set("|- :"):
            continue
        cells = [_cell(c) for c in re.split(r"(?<!\\)\|", line.strip())[1:-1]]
        if cells[0] == "document":
            continue
        rows.append(Accepted(*cells))
    return rows


def parliament_findings(documents):
    """parliament's findings over {name: policy document}, at its default severity."""
    from parliament import analyze_policy_string, enhance_finding
    from parliament.cli import is_finding_filtered

    found = []
    for name, document in sorted(documents.items()):
        policy = analyze_policy_string(json.dumps(document, indent=2), filepath=name)
        for finding in map(enhance_finding, policy.findings):
            if not is_finding_filtered(finding, MINIMUM_SEVERITY):
                found.append(Found(name, "parliament", finding.issue, f"{finding.detail} {finding.location}"))
    return found


def cloudsplaining_findings(authorization_details):
    """cloudsplaining's findings over a GetAccountAuthorizationDetails document, per inline policy of each role."""
    from cloudsplaining.command.scan import scan_account_authorization_details
    from cloudsplaining.shared.exclusions import Exclusions

    nothing_excluded = Exclusions({"policies": [""], "roles": [""], "users": [""], "groups": [""],
                                   "include-actions": [""], "exclude-actions": [""]})
    results = scan_account_authorization_details(authorization_details, nothing_excluded,
                                                 return_json_results=True)["iam_results"]
    found = []
    for kind in ("inline_policies", "customer_managed_policies"):
        for policy in results[kind].values():
            if kind == "inline_policies":
                names = [f"inline:{role}:{policy['PolicyName']}" for role in policy["AttachedTo"]["roles"]]
            else:
                names = [f"managed:{policy['PolicyName']}"]
            for category in CLOUDSPLAINING_CATEGORIES:
                for item in (policy.get(category) or {}).get("findings", []):
                    detail = item if isinstance(item, str) else f"{item['type']} {' '.join(item['actions'])}"
                    found += [Found(name, "cloudsplaining", category, detail) for name in names]
    return found


def unaccepted(found, accepted, tools):
    """(findings no row accepts, rows of these tools no finding needs)."""
    rows = [row for row in accepted if row.tool in tools]
    unexpected = [f for f in found if not any(row.accepts(f) for row in rows)]
    stale = [row for row in rows if not any(row.accepts(f) for f in found)]
    return unexpected, stale
