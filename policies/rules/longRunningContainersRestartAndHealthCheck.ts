import * as docker from "@pulumi/docker";
import { ResourceValidationPolicy, validateResourceOfType } from "@pulumi/policy";
import { isOneShot } from "../support/containerFacts";

const RESTARTING = ["always", "unless-stopped", "on-failure"];

/**
 * Every long-running container comes back by itself (restart policy), says whether it works (health
 * check), and is waited for until healthy (wait: true), so `pulumi up` fails when it never turns healthy.
 * One-shot jobs (attach: true, like the tenant's database setup) are exempt.
 */
export const longRunningContainersRestartAndHealthCheck: ResourceValidationPolicy = {
  name: "long-running-containers-restart-and-health-check",
  description: "Every long-running container has a restart policy and a health check, and pulumi up waits for it to be healthy.",
  enforcementLevel: "mandatory",
  validateResource: validateResourceOfType(docker.Container, (c, args, reportViolation) => {
    if (isOneShot(c)) return;
    const name = c.name ?? args.name;
    if (!RESTARTING.includes(c.restart ?? "no")) reportViolation(`container '${name}' has restart '${c.restart ?? "no"}'; allowed: ${RESTARTING.join(", ")}`);
    const tests: unknown[] = Array.isArray(c.healthcheck?.tests) ? c.healthcheck.tests : [];
    if (tests.length === 0 || tests[0] === "NONE") reportViolation(`container '${name}' has no health check (healthcheck.tests)`);
    else if (c.wait !== true)
      reportViolation(`container '${name}' is not waited for (wait: ${c.wait ?? "unset"}); pulumi up would report it created before its health check passes`);
  }),
};
