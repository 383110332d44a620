# Copyright: Lakehouse platform maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""mitogen's linear strategy without mitogen's CPU pinning and with the collections listed once
(ansible.cfg's default strategy).

mitogen pins its processes to CPUs: on a machine with 2 or 3 CPUs it keeps CPU 0 for its connection
multiplexer and pins everything else - the controller, the workers and every host's interpreter that
runs the modules - to CPU 1. The deployments of a multi-host run then share one CPU while the other
idles (4 deployments took 4.3 times as long as one on 2 CPUs). With the null policy the operating
system schedules them.

mitogen's planner lists every installed collection (``list_collection_dirs``: ~100 with the ``ansible``
package) for each task that runs a collection's module, in the worker forked for that task, so its
cache never outlives the task: 40 ms a task, 1.6 s of a no-op converge. Here the folders are listed
once, in the controller before the workers fork, and each worker adds that list. Collections
installed while the playbook runs are not seen until the next run.

Everything else is mitogen_linear as shipped.
"""

import ansible.collections.list
import ansible_mitogen.affinity
import ansible_mitogen.loaders
import ansible_mitogen.planner
import ansible_mitogen.strategy
from ansible.module_utils.common.text.converters import to_text

ansible_mitogen.affinity.policy = ansible_mitogen.affinity.Policy()

Base = ansible_mitogen.loaders.strategy_loader.get("linear", class_only=True)

COLLECTION_DIRS = []  # filled by StrategyModule.run in the controller; forked workers inherit it


def add_collection_dirs(invocation):
    """planner._load_collections with the folders listed by the controller (listed here if it did not)."""
    if not COLLECTION_DIRS:
        list_collection_dirs()
    invocation._extra_sys_paths.update(COLLECTION_DIRS)


def list_collection_dirs():
    COLLECTION_DIRS[:] = [to_text(path) for path in ansible.collections.list.list_collection_dirs()]


ansible_mitogen.planner._load_collections = add_collection_dirs


class StrategyModule(ansible_mitogen.strategy.StrategyMixin, Base):
    def run(self, iterator, play_context):
        list_collection_dirs()
        return super().run(iterator, play_context)
