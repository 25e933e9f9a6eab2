import * as docker from "@pulumi/docker";
import { ResourceValidationPolicy, validateResourceOfType } from "@pulumi/policy";
import { FSB_DEFAULTS } from "../../fsb-emulator/src/env";
import { LC_DEFAULTS } from "../../license-central/src/env";
import { roleOf } from "../support/containerFacts";

const INTERNAL_ROLES = ["database", "fsb", "sql-job"];
const INTERNAL_PORTS = new Map<number, string>([
  [LC_DEFAULTS.dbPort, "MariaDB"],
  [FSB_DEFAULTS.port, "FSB"],
]);

/** Databases and FSBs are reached over the customer's Docker network only, never from outside. */
export const databaseAndFsbPortsNotPublished: ResourceValidationPolicy = {
  name: "database-and-fsb-ports-not-published",
  description: "Database and FSB containers publish no port; no container publishes the MariaDB or FSB port.",
  enforcementLevel: "mandatory",
  validateResource: validateResourceOfType(docker.Container, (c, args, reportViolation) => {
    const ports: any[] = Array.isArray(c.ports) ? c.ports : [];
    const role = roleOf(c);
    for (const p of ports) {
      const service = INTERNAL_PORTS.get(p.internal);
      if (role && INTERNAL_ROLES.includes(role))
        reportViolation(
          `${role} container '${c.name}' publishes port ${p.external ?? "(any)"}->${p.internal}; it must be reachable only on its Docker network`,
        );
      else if (service) reportViolation(`'${c.name}' publishes the ${service} port ${p.internal} (as ${p.external ?? "any"}); it must never be published`);
    }
  }),
};
