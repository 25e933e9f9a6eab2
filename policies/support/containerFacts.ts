/**
 * Reading the facts policies need out of a Docker container's inputs: labels, env, uploads, networks.
 * Plain functions over plain props, so they work on engine props and on planned resources alike.
 */
export const CONTAINER_TYPE = "docker:index/container:Container";
export const VOLUME_TYPE = "docker:index/volume:Volume";
export const NETWORK_TYPE = "docker:index/network:Network";

/** The lchost.role label set by components/*.ts on every container. */
export type ContainerRole = "license-central" | "database" | "fsb" | "https-entry-point" | "sql-job";

export function labelValue(props: any, name: string): string | undefined {
  const labels: any[] = Array.isArray(props?.labels) ? props.labels : [];
  return labels.find((l) => l?.label === name)?.value;
}

export function roleOf(props: any): string | undefined {
  return labelValue(props, "lchost.role");
}

/** The host of a stack spread over hosts (lchost:hosts) a container runs on (label lchost.host); absent otherwise. */
export function hostOf(props: any): string | undefined {
  return labelValue(props, "lchost.host");
}

/** A published port bound to every address of its host ("", 0.0.0.0, ::). */
export function bindsEveryAddress(port: { ip?: unknown }): boolean {
  return port.ip === undefined || port.ip === "" || port.ip === "0.0.0.0" || port.ip === "::";
}

/**
 * A port a part of a stack spread over hosts publishes on one address of its host (docs/hosts.md, "HA across
 * hosts"): MariaDB, Galera, a line's port on the host's address for the stack's other hosts (the per-host packet
 * filter opens it to them only), HAProxy's monitor on 127.0.0.1 for keepalived. Not a customer endpoint.
 */
export function isHostAddressPort(props: any, port: { ip?: unknown }): boolean {
  return hostOf(props) !== undefined && !bindsEveryAddress(port);
}

/** The customer that owns a container (absent on a shared server's own containers). */
export function customerOf(props: any): string | undefined {
  return labelValue(props, "lchost.customer");
}

export function editionOf(props: any): string | undefined {
  return labelValue(props, "lchost.edition");
}

/** The shared server a container belongs to (its own services: database, FSB, entry point). */
export function sharedServerOf(props: any): string | undefined {
  return labelValue(props, "lchost.shared-server");
}

/** Docker `envs` ["K=V", ...] as a map; entries without '=' are kept with an empty value. */
export function envMap(props: any): Map<string, string> {
  const out = new Map<string, string>();
  for (const e of Array.isArray(props?.envs) ? props.envs : []) {
    if (typeof e !== "string") continue;
    const i = e.indexOf("=");
    if (i < 0) out.set(e, "");
    else out.set(e.slice(0, i), e.slice(i + 1));
  }
  return out;
}

export function uploadContent(props: any, file: string): string | undefined {
  const uploads: any[] = Array.isArray(props?.uploads) ? props.uploads : [];
  const u = uploads.find((x) => x?.file === file);
  return typeof u?.content === "string" ? u.content : undefined;
}

/** Uploaded files whose path ends with `suffix` (e.g. "/haproxy.cfg"). */
export function uploadsEndingWith(props: any, suffix: string): Array<{ file: string; content: string }> {
  const uploads: any[] = Array.isArray(props?.uploads) ? props.uploads : [];
  return uploads.filter((u) => typeof u?.file === "string" && u.file.endsWith(suffix) && typeof u.content === "string");
}

export function networkNames(props: any): string[] {
  const nets: any[] = Array.isArray(props?.networksAdvanced) ? props.networksAdvanced : [];
  return nets.map((n) => n?.name).filter((n): n is string => typeof n === "string");
}

/** A one-shot job (SqlJob): Pulumi attaches to it and waits for it to finish. */
export function isOneShot(props: any): boolean {
  return props?.attach === true;
}

/** Containers of a shared server or of a tenant on one share a host with other customers. */
export function isOnSharedServer(props: any, datacenterEditions: ReadonlySet<string>): boolean {
  const edition = editionOf(props);
  return sharedServerOf(props) !== undefined || (edition !== undefined && datacenterEditions.has(edition));
}
