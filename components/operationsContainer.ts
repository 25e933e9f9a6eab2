import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import { healthcheck, labels, RESTART_POLICY, waitUntilHealthy } from "./containerDefaults";

/** The operations stack's systems; also each container's `lchost.role` label (the sandbox runs them by it). */
export type OperationsSystem = "prometheus" | "alertmanager" | "blackbox" | "notifier" | "status-portal" | "heal";

/** What every operations component takes. */
export interface OperationsContainerArgs {
  /** Container name, also its DNS name on every network it joins. */
  hostname: string;
  image: pulumi.Input<string>;
  /** The operations stack's own network first, then every watched customer's (and shared server's) network. */
  networks: pulumi.Input<string>[];
  owner: Record<string, string>;
}

/** A config file uploaded under /etc/lchost/<system>/; `secret` ones stay Pulumi secrets end to end. */
export interface OperationsUpload {
  file: string;
  content: pulumi.Input<string>;
  secret?: boolean;
  /** File mode (octal string, e.g. "0400"; default: the provider's 0644) and numeric owner (uid:gid of the image's user). */
  mode?: string;
  owner?: { uid: number; gid: number };
}

/** A host directory or socket bind-mounted into the container (absolute host path). */
export interface OperationsBind {
  hostPath: pulumi.Input<string>;
  containerPath: string;
  readOnly?: boolean;
}

export interface OperationsContainerSpec {
  system: OperationsSystem;
  /** The Debian binary's absolute path and its flags: no image default is relied on. */
  entrypoints: string[];
  /** Environment; a secret one (a database password) as a Pulumi secret Output. */
  envs?: pulumi.Input<string>[];
  uploads: OperationsUpload[];
  /** A retained named volume (created by the caller) and where it is mounted. */
  data?: { volumeName: pulumi.Input<string>; containerPath: string };
  /** Host paths bind-mounted (the heal service only: the Docker socket and the directories it acts on). */
  binds?: OperationsBind[];
  port: number;
  /** The health check's command (the system's readiness endpoint). */
  healthTest: string[];
  startPeriodSeconds?: number;
  memoryMb: number;
  /** Created after these (a database it connects to at start: `pulumi up` waits until it is healthy). */
  dependsOn?: pulumi.Resource[];
}

/** `curl` against the system's own readiness endpoint inside the container (the images carry curl for this). */
export function httpReadyTest(port: number, path: string): string[] {
  return ["CMD", "curl", "-fsS", "--max-time", "2", "-o", "/dev/null", `http://127.0.0.1:${port}${path}`];
}

/**
 * One operations container: explicit entrypoint, uploads, restart policy, health check, `pulumi up`
 * waiting until healthy; secrets (uploads marked secret) are additional secret outputs.
 */
export function operationsContainer(name: string, args: OperationsContainerArgs, spec: OperationsContainerSpec, parent: pulumi.Resource): docker.Container {
  const anySecret = spec.uploads.some((u) => u.secret);
  return new docker.Container(
    name,
    {
      name: args.hostname,
      image: args.image,
      entrypoints: spec.entrypoints,
      envs: spec.envs,
      networksAdvanced: args.networks.map((n) => ({ name: n, aliases: [args.hostname] })),
      volumes:
        spec.data || spec.binds
          ? [
              ...(spec.data ? [{ volumeName: spec.data.volumeName, containerPath: spec.data.containerPath }] : []),
              ...(spec.binds ?? []).map((b) => ({ hostPath: b.hostPath, containerPath: b.containerPath, readOnly: b.readOnly ?? false })),
            ]
          : undefined,
      uploads: spec.uploads.map((u) => ({
        file: u.file,
        content: u.secret ? pulumi.secret(u.content) : u.content,
        ...(u.mode ? { permissions: u.mode } : {}),
        ...(u.owner ? { owner: String(u.owner.uid), group: String(u.owner.gid) } : {}),
      })),
      restart: RESTART_POLICY,
      healthcheck: healthcheck(spec.healthTest, spec.startPeriodSeconds ?? 15),
      ...waitUntilHealthy(),
      memory: spec.memoryMb,
      labels: labels({ ...args.owner, "lchost.role": spec.system }),
    },
    {
      parent,
      deleteBeforeReplace: true,
      ...(anySecret ? { additionalSecretOutputs: ["uploads"] } : {}),
      ...(spec.dependsOn?.length ? { dependsOn: spec.dependsOn } : {}),
    },
  );
}
