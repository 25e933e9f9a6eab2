import * as docker from "@pulumi/docker";
import { ResourceValidationPolicy, validateResourceOfType } from "@pulumi/policy";
import { FSB_DEFAULTS } from "../../fsb-emulator/src/env";
import { LC_DEFAULTS } from "../../license-central/src/env";
import { bindsEveryAddress, hostOf, isHostAddressPort, roleOf } from "../support/containerFacts";

const INTERNAL_ROLES = ["database", "fsb", "sql-job"];
const INTERNAL_PORTS = new Map<number, string>([
  [LC_DEFAULTS.dbPort, "MariaDB"],
  [FSB_DEFAULTS.port, "FSB"],
]);

/** MariaDB and Galera's replication, IST and SST ports: what a database node of a stack on hosts publishes. */
const HOST_DATABASE_PORTS = new Set([LC_DEFAULTS.dbPort, 4567, 4568, 4444]);

/**
 * Databases and FSBs are reached over the customer's Docker network only, never from outside. The one exception:
 * a database node of a High Availability stack spread over hosts (label lchost.host) publishes MariaDB and Galera's
 * ports on its host's address (never 0.0.0.0), where the lines and nodes on the other hosts reach it; an FSB runs
 * beside its line and is never published.
 */
export const databaseAndFsbPortsNotPublished: ResourceValidationPolicy = {
  name: "database-and-fsb-ports-not-published",
  description: "Database and FSB containers publish no port; no container publishes the MariaDB or FSB port.",
  enforcementLevel: "mandatory",
  validateResource: validateResourceOfType(docker.Container, (c, args, reportViolation) => {
    const ports: any[] = Array.isArray(c.ports) ? c.ports : [];
    const role = roleOf(c);
    for (const p of ports) {
      // HA across hosts: a database node publishes MariaDB and Galera on its host's address for the other hosts
      if (role === "database" && HOST_DATABASE_PORTS.has(p.internal) && isHostAddressPort(c, p)) continue;
      if (role === "database" && hostOf(c) !== undefined && bindsEveryAddress(p)) {
        reportViolation(
          `database container '${c.name}' publishes port ${p.external ?? "(any)"}->${p.internal} on every address of host '${hostOf(c)}'; bind it to the host's address (ports[].ip), never 0.0.0.0`,
        );
        continue;
      }
      const service = INTERNAL_PORTS.get(p.internal);
      if (role && INTERNAL_ROLES.includes(role))
        reportViolation(
          `${role} container '${c.name}' publishes port ${p.external ?? "(any)"}->${p.internal}; it must be reachable only on its Docker network`,
        );
      else if (service) reportViolation(`'${c.name}' publishes the ${service} port ${p.internal} (as ${p.external ?? "any"}); it must never be published`);
    }
  }),
};
