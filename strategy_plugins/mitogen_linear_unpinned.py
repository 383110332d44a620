# Copyright: Lakehouse platform maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""mitogen's linear strategy without mitogen's CPU pinning (ansible.cfg's default strategy).

mitogen pins its processes to CPUs: on a machine with 2 or 3 CPUs it keeps CPU 0 for its connection
multiplexer and pins everything else - the controller, the workers and every host's interpreter that
runs the modules - to CPU 1. The deployments of a multi-host run then share one CPU while the other
idles (4 deployments took 4.3 times as long as one on 2 CPUs). With the null policy the operating
system schedules them; everything else is mitogen_linear as shipped.
"""

import ansible_mitogen.affinity
import ansible_mitogen.loaders
import ansible_mitogen.strategy

ansible_mitogen.affinity.policy = ansible_mitogen.affinity.Policy()

Base = ansible_mitogen.loaders.strategy_loader.get("linear", class_only=True)


class StrategyModule(ansible_mitogen.strategy.StrategyMixin, Base):
    pass
