"""Who may do what in mediation, on the one scoping function (organisation.scope)."""

from minsheng.organisation.roles import Role

# Mediators and those who open a case: station agents, grid workers, community staff (and their
# mediation committee), the street office, administrators.  Hotline operators and departments
# pass a dispute on (a demand) but do not mediate it.
MEDIATORS = frozenset({Role.STATION_AGENT, Role.GRID_WORKER, Role.COMMUNITY_STAFF, Role.STREET_DISPATCHER,
                       Role.ADMINISTRATOR})
# The lists and figures are read by leaders too.
READERS = MEDIATORS | {Role.LEADER}
# The mediator kind a role mediates as when it opens a case itself.
KIND_OF_ROLE = {Role.STATION_AGENT: "agent", Role.GRID_WORKER: "grid_worker", Role.COMMUNITY_STAFF: "community_staff",
                Role.STREET_DISPATCHER: "community_staff", Role.ADMINISTRATOR: "community_staff"}
