import * as docker from "@pulumi/docker";
import { ResourceValidationPolicy, validateResourceOfType } from "@pulumi/policy";
import { isOnSharedServer } from "../support/containerFacts";
import { sharedServerEditions } from "../support/editionFacts";

/**
 * Every container on a shared server — its own services and each tenant's — has a memory limit and a
 * CPU limit (cpuShares, cpus or cpuSet), so one tenant cannot starve the others.
 */
export const sharedServerContainerLimits: ResourceValidationPolicy = {
  name: "shared-server-container-limits",
  description: "Every container on a shared server has a memory limit and a CPU limit.",
  enforcementLevel: "mandatory",
  validateResource: validateResourceOfType(docker.Container, (c, args, reportViolation) => {
    if (!isOnSharedServer(c, sharedServerEditions())) return;
    const name = c.name ?? args.name;
    if (!(typeof c.memory === "number" && c.memory > 0)) reportViolation(`container '${name}' on a shared server has no memory limit (memory, in MB)`);
    const cpu =
      (typeof c.cpuShares === "number" && c.cpuShares > 0) ||
      (typeof c.cpus === "string" && Number(c.cpus) > 0) ||
      (typeof c.cpuSet === "string" && c.cpuSet !== "");
    if (!cpu) reportViolation(`container '${name}' on a shared server has no CPU limit (cpuShares, cpus or cpuSet)`);
  }),
};
