import { unwrapSecrets } from "../planner/planValues";

/**
 * Turns a planned docker:index/container:Container's inputs into a Docker Engine API create body,
 * the way the Docker provider does. Pure, so the mapping is tested without an engine.
 */
export interface ContainerSpec {
  name: string;
  body: Record<string, unknown>;
  /** Networks after the first (connected before start). */
  extraNetworks: Array<{ name: string; aliases: string[] }>;
  /** mode: the upload's permissions (octal) or, without them, 0755 / 0644 by executable; uid/gid: its numeric owner (default root). */
  uploads: Array<{ file: string; content: string; executable: boolean; mode: number; uid: number; gid: number }>;
  /** attach + !mustRun: a job run to completion (its exit code decides). */
  job: boolean;
}

const durationNs = (d: string | undefined): number | undefined => {
  if (!d) return undefined;
  const m = /^(\d+(?:\.\d+)?)(ms|s|m)$/.exec(d);
  if (!m) throw new Error(`unsupported duration '${d}'`);
  const n = Number(m[1]);
  return Math.round(n * (m[2] === "ms" ? 1e6 : m[2] === "s" ? 1e9 : 60e9));
};

/** The provider's upload permissions ("0400") or, without them, its executable flag. */
function uploadMode(u: { permissions?: string; executable?: boolean; file: string }): number {
  if (u.permissions === undefined || u.permissions === "") return u.executable ? 0o755 : 0o644;
  if (!/^0?[0-7]{3,4}$/.test(u.permissions)) throw new Error(`upload ${u.file}: permissions '${u.permissions}' is not an octal mode (e.g. 0400)`);
  return parseInt(u.permissions, 8);
}

/** The runner needs numeric owners (the engine extracts the archive by uid/gid; no user database of the image is read). */
function numericId(v: unknown, what: string): number {
  if (v === undefined || v === null || v === "") return 0;
  if (!/^\d+$/.test(String(v))) throw new Error(`${what} '${String(v)}' must be a numeric id`);
  return Number(v);
}

export function containerSpec(rawInputs: Record<string, unknown>): ContainerSpec {
  const i = unwrapSecrets(rawInputs) as any;
  const networks: Array<{ name: string; aliases?: string[] }> = i.networksAdvanced ?? [];
  const [first, ...rest] = networks;
  const ports: Array<{ internal: number; external?: number; ip?: string }> = i.ports ?? [];
  const hc = i.healthcheck;
  const body: Record<string, unknown> = {
    Image: i.image,
    Env: i.envs ?? [],
    Entrypoint: i.entrypoints,
    Cmd: i.command,
    Labels: Object.fromEntries(((i.labels ?? []) as Array<{ label: string; value: string }>).map((l) => [l.label, l.value])),
    ExposedPorts: Object.fromEntries(ports.map((p) => [`${p.internal}/tcp`, {}])),
    Healthcheck: hc
      ? { Test: hc.tests, Interval: durationNs(hc.interval), Timeout: durationNs(hc.timeout), Retries: hc.retries, StartPeriod: durationNs(hc.startPeriod) }
      : undefined,
    HostConfig: {
      RestartPolicy: { Name: i.restart && i.restart !== "no" ? i.restart : "" },
      Memory: i.memory ? i.memory * 1024 * 1024 : undefined,
      CpuShares: i.cpuShares,
      PortBindings: Object.fromEntries(ports.map((p) => [`${p.internal}/tcp`, [{ HostIp: p.ip ?? "", HostPort: p.external ? String(p.external) : "" }]])),
      Mounts: ((i.volumes ?? []) as any[]).map((v) =>
        v.volumeName
          ? { Type: "volume", Source: v.volumeName, Target: v.containerPath, ReadOnly: Boolean(v.readOnly) }
          : { Type: "bind", Source: v.hostPath, Target: v.containerPath, ReadOnly: Boolean(v.readOnly) },
      ),
      Devices: ((i.devices ?? []) as any[]).map((d) => ({
        PathOnHost: d.hostPath,
        PathInContainer: d.containerPath ?? d.hostPath,
        CgroupPermissions: d.permissions ?? "rwm",
      })),
      // the keepalived of an HA balancer pair runs in the host's network (networkMode host) with NET_ADMIN
      NetworkMode: i.networkMode ?? first?.name,
      ...(i.capabilities?.adds?.length ? { CapAdd: i.capabilities.adds } : {}),
      Privileged: Boolean(i.privileged),
    },
    NetworkingConfig: first ? { EndpointsConfig: { [first.name]: { Aliases: first.aliases ?? [] } } } : undefined,
  };
  return {
    name: i.name,
    body,
    extraNetworks: rest.map((n) => ({ name: n.name, aliases: n.aliases ?? [] })),
    uploads: ((i.uploads ?? []) as any[]).map((u) => ({
      file: u.file,
      content: String(u.content ?? ""),
      executable: Boolean(u.executable),
      mode: uploadMode(u),
      uid: numericId(u.owner, `upload ${u.file}: owner`),
      gid: numericId(u.group, `upload ${u.file}: group`),
    })),
    job: i.attach === true && i.mustRun === false,
  };
}
