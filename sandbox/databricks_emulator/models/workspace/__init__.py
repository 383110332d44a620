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
from .workspace_conf import WorkspaceConfBackend


class WorkspaceBackend(WorkspacePrincipalsBackend, TokenPermissionsBackend, TokensBackend, InstanceProfilesBackend,
                       GlobalInitScriptsBackend, DbfsBackend, ClustersBackend, WorkspaceConfBackend,
                       IpAccessListsBackend, WorkspaceSettingsBackend):
    """SCIM, token permissions, tokens and token management, instance profiles, global init scripts, DBFS,
    clusters, workspace-conf, IP access lists and the settings API of one workspace."""
