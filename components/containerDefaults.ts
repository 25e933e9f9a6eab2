import * as docker from "@pulumi/docker";

/** Settings every long-running container gets: restart policy, health-check timing, labels. */
export const RESTART_POLICY = "unless-stopped";

export function healthcheck(tests: string[], startPeriodSeconds = 10): docker.types.input.ContainerHealthcheck {
  return { tests, interval: "5s", timeout: "3s", retries: 3, startPeriod: `${startPeriodSeconds}s` };
}

export function labels(values: Record<string, string>): docker.types.input.ContainerLabel[] {
  return Object.entries(values).map(([label, value]) => ({ label, value }));
}

export const MB = 1;
