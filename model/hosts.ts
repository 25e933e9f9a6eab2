/**
 * The one `hosts` model of lchost (docs/hosts.md): the machines customers run on, as the fleet's inventory
 * (`fleet/hosts.yaml`, issue "fleet") and as a stack's own list (`lchost:hosts`, issue "HA across hosts").
 * Both end in the same `Host`; a stack may name inventory hosts or describe its hosts inline. Pure: no I/O
 * beyond parsing text, no Pulumi.
 */
import type { ErrorObject } from "ajv";
import { lazyValidator } from "./schemaValidator";
import * as net from "net";
import * as YAML from "yaml";
import { InputError } from "./inputError";

export interface HostCapacity {
  memoryMb: number;
  cpuShares: number;
}

export interface Host {
  name: string;
  /** The Docker endpoint of the host: unix:///path, tcp://host:port (TLS) or ssh://user@host. */
  dockerHost: string;
  /** The address the host publishes customer ports on and its peers reach it at. */
  address: string;
  /** Unknown for hosts a stack describes inline; the fleet's placement needs it. */
  capacity?: HostCapacity;
  labels: Record<string, string>;
}

export class HostsError extends InputError {
  constructor(
    readonly source: string,
    readonly problems: string[],
  ) {
    super(`${source}: ${problems.join("; ")}`);
    this.name = "HostsError";
  }
}

export const HOST_NAME = "^[a-z][a-z0-9-]{0,62}$";
const DOCKER_HOST = "^(unix:///\\S+|tcp://[A-Za-z0-9.:\\[\\]-]+:[0-9]{1,5}|ssh://([A-Za-z0-9._-]+@)?[A-Za-z0-9.:\\[\\]-]+(:[0-9]{1,5})?)$";

const hostSchema = {
  type: "object",
  additionalProperties: false,
  required: ["name", "dockerHost", "address"],
  properties: {
    name: { type: "string", pattern: HOST_NAME, description: "host name, unique in the inventory" },
    dockerHost: { type: "string", pattern: DOCKER_HOST, description: "Docker endpoint: unix:///…, tcp://host:port or ssh://user@host" },
    address: { type: "string", minLength: 2, description: "IPv4 or IPv6 address the host publishes ports on" },
    capacity: {
      type: "object",
      additionalProperties: false,
      required: ["memoryMb", "cpuShares"],
      properties: { memoryMb: { type: "integer", minimum: 256 }, cpuShares: { type: "integer", minimum: 2 } },
    },
    labels: { type: "object", additionalProperties: { type: "string" } },
  },
};

/** JSON Schema of fleet/hosts.yaml. */
export const hostInventorySchema = {
  $schema: "http://json-schema.org/draft-07/schema#",
  title: "lchost host inventory (fleet/hosts.yaml)",
  type: "object",
  additionalProperties: false,
  required: ["hosts"],
  properties: { hosts: { type: "array", minItems: 1, items: { ...hostSchema, required: ["name", "dockerHost", "address", "capacity"] } } },
};

/** JSON Schema of a stack's `lchost:hosts`: inventory host names or inline hosts. */
export const stackHostsSchema = {
  type: "array",
  minItems: 1,
  items: { oneOf: [{ type: "string", pattern: HOST_NAME }, hostSchema] },
};

const inventoryValidator = lazyValidator(hostInventorySchema, { allErrors: true, strict: false });

function schemaProblems(errors: ErrorObject[] | null | undefined, root: string): string[] {
  return (errors ?? []).map((e) => {
    const at = `${root}${e.instancePath.replace(/\/(\d+)/g, "[$1]").replace(/\//g, ".")}`;
    if (e.keyword === "additionalProperties") return `${at}: unknown key ${JSON.stringify(e.params.additionalProperty)}`;
    if (e.keyword === "required") return `${at}: missing ${JSON.stringify(e.params.missingProperty)}`;
    return `${at}: ${e.message}`;
  });
}

/** Checks that do not fit a JSON Schema: addresses, unique names and addresses. */
function hostProblems(hosts: Array<Pick<Host, "name" | "address">>, at: (i: number) => string): string[] {
  const problems: string[] = [];
  const names = new Map<string, number>();
  const addresses = new Map<string, number>();
  hosts.forEach((h, i) => {
    if (net.isIP(h.address) === 0) problems.push(`${at(i)}.address: ${JSON.stringify(h.address)} is not an IPv4 or IPv6 address`);
    const sameName = names.get(h.name);
    if (sameName !== undefined) problems.push(`${at(i)}.name: ${JSON.stringify(h.name)} is already the name of ${at(sameName)}`);
    else names.set(h.name, i);
    const sameAddress = addresses.get(h.address);
    if (sameAddress !== undefined) problems.push(`${at(i)}.address: ${h.address} is already the address of ${at(sameAddress)}`);
    else addresses.set(h.address, i);
  });
  return problems;
}

export interface HostInventory {
  source: string;
  hosts: Host[];
  byName: ReadonlyMap<string, Host>;
}

/** Parses fleet/hosts.yaml; throws HostsError naming the file and every faulty field. */
export function parseHostInventory(text: string, source: string): HostInventory {
  let doc: unknown;
  try {
    doc = YAML.parse(text);
  } catch (e) {
    throw new HostsError(source, [`not valid YAML: ${(e as Error).message}`]);
  }
  const validateInventory = inventoryValidator();
  if (!validateInventory(doc)) throw new HostsError(source, schemaProblems(validateInventory.errors, "hosts.yaml"));
  const raw = (doc as { hosts: Array<Omit<Host, "labels"> & { labels?: Record<string, string> }> }).hosts;
  const hosts = raw.map((h) => ({ ...h, labels: h.labels ?? {} }));
  const problems = hostProblems(hosts, (i) => `hosts[${i}]`);
  if (problems.length) throw new HostsError(source, problems);
  return { source, hosts, byName: new Map(hosts.map((h) => [h.name, h])) };
}

export type StackHostEntry = string | { name: string; dockerHost: string; address: string; capacity?: HostCapacity; labels?: Record<string, string> };

/**
 * A stack's hosts (`lchost:hosts`, already schema-checked) as `Host`s: names are looked up in the
 * inventory, inline entries taken as they are. Errors name `lchost:hosts[i]`.
 */
export function resolveStackHosts(entries: StackHostEntry[], inventory: HostInventory | undefined, key = "lchost:hosts"): Host[] {
  const problems: string[] = [];
  const hosts: Host[] = [];
  entries.forEach((entry, i) => {
    if (typeof entry !== "string") {
      hosts.push({ ...entry, labels: entry.labels ?? {} });
      return;
    }
    const known = inventory?.byName.get(entry);
    if (known) hosts.push(known);
    else
      problems.push(
        inventory
          ? `${key}[${i}]: no host ${JSON.stringify(entry)} in ${inventory.source} (known: ${[...inventory.byName.keys()].join(", ")})`
          : `${key}[${i}]: ${JSON.stringify(entry)} names an inventory host, but there is no fleet/hosts.yaml; describe the host inline ({name, dockerHost, address})`,
      );
  });
  if (problems.length === 0) problems.push(...hostProblems(hosts, (i) => `${key}[${i}]`));
  if (problems.length) throw new HostsError(key, problems);
  return hosts;
}

/** Where each part of a multi-host stack runs: host names, index i = line / node i + 1. */
export interface PartPlacement {
  lines: string[];
  /** A line's FSB runs beside its line. */
  fsbs: string[];
  databaseNodes: string[];
  /**
   * The Galera data node (1-based, an index into databaseNodes + 1) each line uses as its database: line i uses
   * node ((i − 1) mod data nodes) + 1 — never the node an arbitrator replaces. The program and the sandbox's hosts
   * take it from here.
   */
  lineDatabaseNodes: number[];
  /** Galera arbitrator (garbd) host when the data nodes are on two hosts only. */
  arbitrator?: string;
  /** The balancer pair (keepalived + HAProxy) on two distinct hosts. */
  balancers: [string, string];
}

/**
 * The database node (1-based) line `line` uses: round-robin over the data nodes, so the lines spread their load
 * over the cluster — and with an arbitrator only over the nodes that hold data. The one rule for every deployment.
 */
export function lineDatabaseNode(line: number, dataNodes: number): number {
  if (!Number.isInteger(line) || line < 1) throw new Error(`lineDatabaseNode: line ${line}; lines count from 1`);
  if (!Number.isInteger(dataNodes) || dataNodes < 1) throw new Error(`lineDatabaseNode: ${dataNodes} data nodes; at least 1`);
  return ((line - 1) % dataNodes) + 1;
}

/**
 * Places a High Availability stack's parts over its hosts: lines (and their FSBs) round-robin, Galera
 * nodes one per distinct host (three hosts, or two hosts plus an arbitrator on a third), the balancer
 * pair on the first two hosts. Refuses, naming the key, what cannot survive the loss of one host.
 */
export function placeParts(opts: { hosts: Host[]; lines: number; databaseNodes: number; arbitrator?: Host; key?: string }): PartPlacement {
  const key = opts.key ?? "lchost:hosts";
  const names = opts.hosts.map((h) => h.name);
  if (names.length < 2) throw new HostsError(key, [`${key}: High Availability needs at least 2 hosts, got ${names.length}`]);
  const lines = Array.from({ length: opts.lines }, (_, i) => names[i % names.length]);
  const arbitrator = opts.arbitrator?.name;
  if (arbitrator !== undefined && names.includes(arbitrator))
    throw new HostsError(key, [`${key}: the Galera arbitrator's host ${JSON.stringify(arbitrator)} must not also hold a data node`]);
  let databaseNodes: string[];
  if (names.length >= opts.databaseNodes) databaseNodes = names.slice(0, opts.databaseNodes);
  else if (names.length === 2 && arbitrator !== undefined) databaseNodes = names.slice(0, 2);
  else
    throw new HostsError(key, [
      `${key}: ${opts.databaseNodes} Galera nodes need ${opts.databaseNodes} distinct hosts, or 2 hosts plus a Galera arbitrator (garbd) on a third; got ${names.length} host(s) and ${arbitrator ? "an arbitrator" : "no arbitrator"}${arbitrator ? "" : " (name its host in lchost:galeraArbitrator)"}`,
    ]);
  return {
    lines,
    fsbs: [...lines],
    databaseNodes,
    lineDatabaseNodes: lines.map((_, i) => lineDatabaseNode(i + 1, databaseNodes.length)),
    ...(databaseNodes.length < opts.databaseNodes || (arbitrator !== undefined && names.length === 2) ? { arbitrator } : {}),
    balancers: [names[0], names[1]],
  };
}
