"""A workspace API's state, one backend per resource family composed into ``WorkspaceBackend``."""

from .clusters import ClustersBackend
from .dbfs import DbfsBackend
from .init_scripts import GlobalInitScriptsBackend
from .instance_profiles import InstanceProfilesBackend
from .ip_access_lists import IpAccessListsBackend
from .permissions import TokenPermissionsBackend
from .principals import WorkspacePrincipalsBackend
from .settings import WorkspaceSettingsBackend
from .tokens import TokensBackend
from .unity_catalog import UnityCatalogBackend
from .workspace_conf import WorkspaceConfBackend


class WorkspaceBackend(WorkspacePrincipalsBackend, TokenPermissionsBackend, TokensBackend, InstanceProfilesBackend,
                       GlobalInitScriptsBackend, DbfsBackend, ClustersBackend, WorkspaceConfBackend,
                       IpAccessListsBackend, WorkspaceSettingsBackend, UnityCatalogBackend):
    """SCIM, token permissions, tokens and token management, instance profiles, global init scripts, DBFS,
    clusters, workspace-conf, IP access lists, the settings API and the Unity Catalog view of one workspace."""
