"""The account API's state, one backend per resource family composed into ``AccountBackend``."""

from .assignments import PermissionAssignmentsBackend
from .credentials import CredentialsBackend
from .keys import KeysBackend
from .log_delivery import LogDeliveryBackend
from .metastores import MetastoresBackend
from .networks import NetworksBackend
from .principals import AccountPrincipalsBackend
from .privatelink import PrivateLinkBackend
from .settings import AccountSettingsBackend
from .storage import StorageBackend
from .workspaces import WorkspacesBackend


class AccountBackend(AccountPrincipalsBackend, CredentialsBackend, StorageBackend, NetworksBackend, KeysBackend,
                     PrivateLinkBackend, WorkspacesBackend, LogDeliveryBackend, PermissionAssignmentsBackend,
                     AccountSettingsBackend, MetastoresBackend):
    """Credentials, storage configurations, networks, customer-managed keys, VPC endpoints and private access
    settings, workspaces, log delivery, permission assignments, account SCIM, service principal secrets, the
    account's settings API and Unity Catalog metastores with their workspace assignments."""
