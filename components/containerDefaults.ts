import * as docker from "@pulumi/docker";
import { editionCatalog } from "../model/catalog";

/** Settings every long-running container gets: restart policy, health-check timing, labels. */
export const RESTART_POLICY = "unless-stopped";

export function healthcheck(tests: string[], startPeriodSeconds = 10): docker.types.input.ContainerHealthcheck {
  return { tests, interval: "5s", timeout: "3s", retries: 3, startPeriod: `${startPeriodSeconds}s` };
}

/**
 * `pulumi up` returns only when the container's health check passes, and fails when it does not within the
 * catalog's time: `dependsOn` on such a container then means "healthy", not "created".
 */
export function waitUntilHealthy(): { wait: boolean; waitTimeout: number } {
  return { wait: true, waitTimeout: editionCatalog().common.containerHealthyWithinSeconds };
}

export function labels(values: Record<string, string>): docker.types.input.ContainerLabel[] {
  return Object.entries(values).map(([label, value]) => ({ label, value }));
}

export const MB = 1;
