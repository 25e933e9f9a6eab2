import * as net from "net";
import type { ErrorObject } from "ajv";
import { lazyValidator } from "./schemaValidator";
import { EDITION_IDS, EditionId, editionCatalog, editionFacts, MonitoringIntervals, Severity } from "./catalog";
import { BalancerSettings, balancerProblems, balancerSettings } from "./balancerPair";
import { Host, HostsError, placeParts, StackHostEntry } from "./hosts";
import { InputError } from "./inputError";
import {
  BALANCING_ALGORITHMS,
  BALANCING_STICKINESS,
  KUBERNETES_SERVICE_TYPES,
  NOTIFICATION_LANGUAGES,
  PATTERN_MEANINGS,
  stackConfigSchema,
} from "./stackConfigSchema";

export type Platform = "docker" | "kubernetes";
export type QuotaMode = "soft" | "hard";

export interface ConnectionSecurity {
  clientCertificate?: { caCertificate: string; crl?: string };
  ipAllowList?: string[];
  basicAuth?: { username: string; passwordKey: string };
}

export interface FsbSettings {
  mode: "emulator" | "device" | "shared";
  devicePath?: string;
  signLatencyMs: number;
  /** mode shared: the hosting team's shared FSB and the config key of this customer's token. */
  sharedUrl?: string;
  tokenKey?: string;
}

export interface ImageSettings {
  licenseCentral: string;
  database: string;
  fsbEmulator: string;
  balancer: string;
  /** prometheus-mysqld-exporter beside every database node (issue 9) */
  mysqldExporter: string;
}

/** A path prefix and the lines (1 = the first) that serve it. */
export interface BalancingRoute {
  pathPrefix: string;
  lines: number[];
}

/** `lchost:balancing` of a High Availability stack, defaults filled. */
export interface BalancingSettings {
  algorithm: (typeof BALANCING_ALGORITHMS)[number];
  /** One per line, in line order; absent: every line weighs the same. */
  weights?: number[];
  routes: BalancingRoute[];
  sticky?: (typeof BALANCING_STICKINESS)[number];
  rateLimit?: { requestsPerSecond: number };
}

/** `lchost:extraLines`: temporary extra lines of a High Availability customer (model/extraLines.ts). */
export interface ExtraLinesSetting {
  count: number;
  /** ISO 8601 instant with a zone, as written. */
  until: string;
  /** When they were added (lchost lines writes it); absent: the quotas count them from the start of the month. */
  since?: string;
}

/** `lchost:autoscale`, durations in milliseconds (defaults filled). */
export interface AutoscaleSettings {
  maxExtraLines: number;
  scaleUpAfterMs: number;
  scaleDownAfterMs: number;
}

/** "90s", "5m", "2h" -> milliseconds (the schema checked the shape: DURATION_PATTERN). */
export function durationMs(text: string): number {
  const m = /^(\d+)(s|m|h)$/.exec(text);
  if (!m) throw new InputError(`'${text}' is not a duration (a whole number with s, m or h, e.g. 90s, 5m, 2h)`);
  return Number(m[1]) * { s: 1000, m: 60_000, h: 3_600_000 }[m[2] as "s" | "m" | "h"];
}

export const AUTOSCALE_DEFAULTS = { scaleUpAfter: "5m", scaleDownAfter: "30m" } as const;

export type NotificationLanguage = (typeof NOTIFICATION_LANGUAGES)[number];

/** A webhook that receives signed notifications; `secretKey` names the secret lchost: key holding the HMAC secret. */
export interface WebhookTarget {
  url: string;
  secretKey: string;
}

/** `lchost:notifications` of a customer stack (tenants too), defaults filled. */
export interface NotificationSettings {
  email: string[];
  webhook?: WebhookTarget;
  language: NotificationLanguage;
  /** The lowest severity the customer is notified of. */
  severity: Severity;
}

/** `lchost:operations` of an operations stack; intervals are the catalog's with the stack's overrides applied. */
export interface OperationsSettings {
  onCall: { email: string[]; webhook?: WebhookTarget };
  smtp: { smarthost: string; from: string; usernameKey?: string; passwordKey?: string };
  intervals: MonitoringIntervals;
}

/** An operations stack (one per data centre): Prometheus, Alertmanager, blackbox exporter, notifier. */
export interface OperationsConfig {
  role: "operations";
  name: string;
  platform: Platform;
  domain: string;
  /** Where the watched stack files live; relative paths are relative to the project root. */
  fleet: { stacksDir: string };
  operations: OperationsSettings;
  /** Host port of the status portal's HTTPS entry (lchost:httpsPort; default 443): the only published port of the stack. */
  httpsPort: number;
  /** `lchost:heal`: the host directories the heal service acts on (relative paths: to the project root), and its dry run. */
  heal: HealSettings;
}

/** `lchost:heal` of an operations stack, defaults applied. */
export interface HealSettings {
  /** `lchost up --target docker`'s state directory (default .docker-run). */
  stateDir: string;
  /** The stack files (default: lchost:fleet.stacksDir). */
  stacksDir: string;
  dryRun: boolean;
}

export type KubernetesServiceType = (typeof KUBERNETES_SERVICE_TYPES)[number];

/** The real FSB box on Kubernetes: a device plugin's resource, or the host's device node, on the selected nodes. */
export type KubernetesFsbDevice = { nodeSelector: Record<string, string> } & (
  { resourceName: string; hostPath?: never } | { hostPath: string; resourceName?: never }
);

/** `lchost:kubernetes` of a stack on `lchost:platform: kubernetes`, defaults filled. */
export interface KubernetesSettings {
  /** Absent: the cluster's default storage class. */
  storageClass?: string;
  serviceType: KubernetesServiceType;
  fsbDevice?: KubernetesFsbDevice;
}

interface CommonConfig {
  platform: Platform;
  /** The inventory host it runs on (lchost:host; docs/hosts.md); absent: not placed (yet). */
  host?: string;
  /**
   * lchost:behindHostEntry: the gateway takes PROXY v2 from its host's entry and publishes on 127.0.0.1 only
   * (docs/hosts.md, "The per-host HTTPS entry"); present only when true.
   */
  behindHostEntry?: true;
  /** Set exactly when platform is kubernetes. */
  kubernetes?: KubernetesSettings;
  domain: string;
  httpsPort: number;
  fsb: FsbSettings;
  images: ImageSettings;
}

export interface SharedServerConfig extends CommonConfig {
  role: "shared-server";
  name: string;
  tenants: string[];
  quotaMode: QuotaMode;
}

export interface CustomerConfig extends CommonConfig {
  role: "customer";
  customer: string;
  edition: EditionId;
  lines: number;
  sharedServer?: string;
  connection: ConnectionSecurity;
  expectedVolume: { activationsPerMonth?: number; webServiceCallsPerMonth?: number };
  quotaMode: QuotaMode;
  /** Lines treat maintenance as on until its state is written (LC_START_IN_MAINTENANCE). */
  startInMaintenance: boolean;
  /** The deployment generation (lchost:generation): per-generation names of the database, FSBs and lines; absent: names without one. */
  generation?: number;
  /** Absent: the customer is not notified (the hosting team's on-call still is). */
  notifications?: NotificationSettings;
  /** High Availability only; absent: the balancer's defaults (least connections, equal lines). */
  balancing?: BalancingSettings;
  /** High Availability: the hosts its parts are spread over (lchost:hosts), as written; resolved with model/hosts.ts. */
  hosts?: StackHostEntry[];
  /** High Availability: temporary extra lines beside the booked `lines` (they run while `until` is ahead: model/extraLines.ts linePlan). */
  extraLines?: ExtraLinesSetting;
  /** High Availability: automatic extra lines on a sustained FSB-bound peak (lchost heal). */
  autoscale?: AutoscaleSettings;
  /** High Availability on lchost:hosts: the balancer pair's virtual IP and VRRP settings (lchost:balancer, model/balancerPair.ts). */
  balancer?: BalancerSettings;
  /** High Availability on 2 hosts: the third host that runs the Galera arbitrator (lchost:galeraArbitrator), as written. */
  galeraArbitrator?: StackHostEntry;
}

export type StackConfig = SharedServerConfig | CustomerConfig | OperationsConfig;

/** A rejected stack configuration; `problems` lists every fault at once, each naming its key. */
export class StackConfigError extends InputError {
  constructor(
    readonly source: string,
    readonly problems: string[],
  ) {
    super(`invalid stack configuration ${source}:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
    this.name = "StackConfigError";
  }
}

/** Input: the lchost: keys without namespace; values parsed (objects, numbers), secrets listed by key. */
export interface RawStackConfig {
  stackName: string;
  source: string;
  values: Record<string, unknown>;
  secretKeys: ReadonlySet<string>;
  defaultImages: ImageSettings;
}

const schemaValidator = lazyValidator(stackConfigSchema, { allErrors: true, strict: false, verbose: true });

const show = (v: unknown): string => (typeof v === "string" ? `'${v}'` : JSON.stringify(v));

/** "/connection/ipAllowList/0" -> "lchost:connection.ipAllowList[0]" */
export function configKeyPath(instancePath: string, extra?: string): string {
  const parts = instancePath.split("/").filter(Boolean);
  if (extra) parts.push(extra);
  let key = "lchost:";
  parts.forEach((p, i) => {
    if (/^\d+$/.test(p)) key += `[${p}]`;
    else key += i === 0 ? p : `.${p}`;
  });
  return key;
}

function valueAt(root: unknown, instancePath: string): unknown {
  let v: any = root;
  for (const p of instancePath.split("/").filter(Boolean)) v = v?.[p];
  return v;
}

function describeSchemaError(root: unknown, e: ErrorObject): string {
  const p = e.params as any;
  switch (e.keyword) {
    case "additionalProperties": {
      const key = configKeyPath(e.instancePath, p.additionalProperty);
      const parentSchema = e.parentSchema as any;
      const allowed = Object.keys(parentSchema?.properties ?? {}).join(", ");
      return `${key}: unknown key; allowed here: ${allowed}`;
    }
    case "required":
      return `${configKeyPath(e.instancePath, p.missingProperty)}: required but missing`;
    case "enum":
      return `${configKeyPath(e.instancePath)}: ${show(valueAt(root, e.instancePath))} is not allowed; allowed: ${p.allowedValues.join(", ")}`;
    case "pattern": {
      const desc = (e.parentSchema as any)?.description;
      const meaning = PATTERN_MEANINGS.get(p.pattern);
      if (meaning) return `${configKeyPath(e.instancePath)}: ${show(valueAt(root, e.instancePath))} is not ${meaning}`;
      return `${configKeyPath(e.instancePath)}: ${show(valueAt(root, e.instancePath))} does not match ${p.pattern}${desc ? ` (${desc})` : ""}`;
    }
    case "type":
      return `${configKeyPath(e.instancePath)}: ${show(valueAt(root, e.instancePath))} must be ${p.type === "integer" ? "a whole number" : `of type ${p.type}`}`;
    case "minimum":
    case "maximum":
      return `${configKeyPath(e.instancePath)}: ${show(valueAt(root, e.instancePath))} must be ${p.comparison} ${p.limit}`;
    case "minItems":
      return `${configKeyPath(e.instancePath)}: must list at least ${p.limit} item(s)`;
    case "uniqueItems":
      return `${configKeyPath(e.instancePath)}: items ${p.j} and ${p.i} are the same; list each once`;
    default:
      return `${configKeyPath(e.instancePath)}: ${show(valueAt(root, e.instancePath))} ${e.message}`;
  }
}

/**
 * `lchost:extraLines` and `lchost:autoscale` beyond their shapes: High Availability only, instants that are
 * real dates in order, booked + extra lines within the catalog's range, no more extra lines than the autoscale
 * maximum. Values of the wrong shape were already named by the schema and are skipped.
 */
function extraLinesKeyProblems(v: any, edition: EditionId, range: { min: number; max: number; default: number }): string[] {
  const problems: string[] = [];
  for (const key of ["extraLines", "autoscale"]) {
    if (v[key] !== undefined && edition !== "high-availability")
      problems.push(`lchost:${key}: not allowed for edition '${edition}': only high-availability runs extra lines (change the edition with lchost migrate)`);
  }
  if (edition !== "high-availability") return problems;
  const extra = v.extraLines;
  if (extra && typeof extra === "object") {
    const at = (k: "until" | "since") => (typeof extra[k] === "string" ? new Date(extra[k]) : undefined);
    const until = at("until");
    const since = at("since");
    for (const [k, d] of [
      ["until", until],
      ["since", since],
    ] as const) {
      if (d && Number.isNaN(d.getTime())) problems.push(`lchost:extraLines.${k}: ${show(extra[k])} is not a real date`);
    }
    if (until && since && !Number.isNaN(until.getTime()) && since.getTime() >= until.getTime())
      problems.push(`lchost:extraLines.since: ${show(extra.since)} is not before lchost:extraLines.until (${show(extra.until)})`);
    const booked = typeof v.lines === "number" ? v.lines : range.default;
    if (Number.isInteger(extra.count) && booked + extra.count > range.max)
      problems.push(
        `lchost:extraLines.count: ${booked} booked + ${extra.count} extra lines exceed the ${range.max} lines a High Availability customer may run`,
      );
    const max = v.autoscale?.maxExtraLines;
    if (Number.isInteger(extra.count) && Number.isInteger(max) && extra.count > max)
      problems.push(`lchost:extraLines.count: ${extra.count} exceeds lchost:autoscale.maxExtraLines (${max})`);
  }
  const auto = v.autoscale;
  if (auto && typeof auto === "object" && Number.isInteger(auto.maxExtraLines)) {
    const booked = typeof v.lines === "number" ? v.lines : range.default;
    if (booked + auto.maxExtraLines > range.max)
      problems.push(
        `lchost:autoscale.maxExtraLines: ${booked} booked + ${auto.maxExtraLines} extra lines exceed the ${range.max} lines a High Availability customer may run`,
      );
  }
  return problems;
}

function checkCidr(value: string): boolean {
  const [addr, bits] = value.split("/");
  const family = net.isIP(addr);
  if (family === 0) return false;
  const n = Number(bits);
  return family === 4 ? n <= 32 : n <= 128;
}

/**
 * What the schema cannot see in `lchost:balancing`: weights and routes against the stack's number of lines,
 * dot segments, and prefixes that name the same paths (the balancer matches case-insensitively, with or
 * without the trailing '/'). Values of the wrong shape were already named by the schema and are skipped.
 */
function balancingProblems(balancing: any, lines: number): string[] {
  const problems: string[] = [];
  if (!balancing || typeof balancing !== "object") return problems;
  const lineKey = `the stack has ${lines} lines (lchost:lines)`;
  if (Array.isArray(balancing.weights) && balancing.weights.length !== lines) {
    problems.push(`lchost:balancing.weights: lists ${balancing.weights.length} weight(s), but ${lineKey}; give one weight per line, in line order`);
  }
  const seen = new Map<string, number>();
  (Array.isArray(balancing.routes) ? balancing.routes : []).forEach((route: any, i: number) => {
    const key = `lchost:balancing.routes[${i}]`;
    (Array.isArray(route?.lines) ? route.lines : []).forEach((line: unknown, j: number) => {
      if (typeof line === "number" && Number.isInteger(line) && line > lines) {
        problems.push(`${key}.lines[${j}]: line ${line} does not exist; ${lineKey}, numbered 1 to ${lines}`);
      }
    });
    const prefix = route?.pathPrefix;
    if (typeof prefix !== "string" || !prefix.startsWith("/")) return;
    const base = prefix.replace(/\/$/, "");
    if (base.split("/").some((seg: string) => seg === "." || seg === "..")) {
      problems.push(`${key}.pathPrefix: '${prefix}' has a '.' or '..' segment; the balancer routes on normalized paths, which never have one`);
      return;
    }
    const same = seen.get(base.toLowerCase());
    if (same !== undefined) {
      problems.push(
        `${key}.pathPrefix: '${prefix}' names the same paths as lchost:balancing.routes[${same}].pathPrefix (prefixes match case-insensitively, with or without the trailing '/')`,
      );
    } else seen.set(base.toLowerCase(), i);
  });
  return problems;
}

/**
 * An HA stack's `lchost:hosts` / `lchost:galeraArbitrator` as written (names or inline hosts), checked without an
 * inventory: distinct names (and inline addresses), and a layout `placeParts` accepts (at least 2 hosts; the
 * Galera nodes on distinct hosts, or 2 hosts plus the arbitrator on a third). Each problem names its key.
 */
function stackHostsProblems(hosts: unknown[], arbitrator: unknown, databaseNodes: number, lines: unknown): string[] {
  const nameOf = (h: unknown) => (typeof h === "string" ? h : h && typeof h === "object" ? (h as { name?: unknown }).name : undefined);
  const problems: string[] = [];
  const seenNames = new Map<string, number>();
  const seenAddresses = new Map<string, number>();
  hosts.forEach((h, i) => {
    const name = nameOf(h);
    if (typeof name === "string") {
      const same = seenNames.get(name);
      if (same !== undefined) problems.push(`lchost:hosts[${i}]: host name ${JSON.stringify(name)} is already lchost:hosts[${same}]; every host once`);
      else seenNames.set(name, i);
    }
    const address = h && typeof h === "object" ? (h as { address?: unknown }).address : undefined;
    if (typeof address === "string") {
      const same = seenAddresses.get(address);
      if (same !== undefined) problems.push(`lchost:hosts[${i}].address: ${address} is already the address of lchost:hosts[${same}]`);
      else seenAddresses.set(address, i);
    }
  });
  const arbitratorName = nameOf(arbitrator);
  const arbitratorAddress = arbitrator && typeof arbitrator === "object" ? (arbitrator as { address?: unknown }).address : undefined;
  if (typeof arbitratorAddress === "string" && seenAddresses.has(arbitratorAddress))
    problems.push(
      `lchost:galeraArbitrator.address: ${arbitratorAddress} is the address of lchost:hosts[${seenAddresses.get(arbitratorAddress)}]; the arbitrator needs a third host`,
    );
  if (arbitrator !== undefined && hosts.length !== 2)
    problems.push(
      `lchost:galeraArbitrator: only with exactly 2 hosts in lchost:hosts (it is the third vote of a 2-host Galera cluster); lchost:hosts has ${hosts.length}`,
    );
  if (problems.length > 0 || hosts.some((h) => typeof nameOf(h) !== "string")) return problems;
  try {
    // names are enough for the layout; addresses are checked once the hosts are resolved
    const asHost = (name: string): Host => ({ name, dockerHost: "unix:///var/run/docker.sock", address: "0.0.0.0", labels: {} });
    placeParts({
      hosts: hosts.map((h) => asHost(nameOf(h) as string)),
      lines: typeof lines === "number" ? lines : 1,
      databaseNodes,
      ...(typeof arbitratorName === "string" ? { arbitrator: asHost(arbitratorName) } : {}),
    });
  } catch (e) {
    if (!(e instanceof HostsError)) throw e;
    problems.push(...e.problems);
  }
  return problems;
}

/**
 * Validates a stack's lchost: configuration and fills defaults from the edition catalog.
 * Throws StackConfigError listing every problem; returns a plain, typed config otherwise.
 */
export function parseStackConfig(raw: RawStackConfig): StackConfig {
  const values: Record<string, unknown> = {};
  const secretValues = new Set<string>();
  for (const [k, v] of Object.entries(raw.values)) {
    if (raw.secretKeys.has(k)) secretValues.add(k);
    else values[k] = v;
  }
  const problems: string[] = [];
  const validateSchema = schemaValidator();
  if (!validateSchema(values)) {
    for (const e of validateSchema.errors ?? []) problems.push(describeSchemaError(values, e));
  }
  const v = values as any;
  const role: "customer" | "shared-server" | "operations" = v.role ?? "customer";

  const forbid = (key: string, why: string) => {
    if (v[key] !== undefined) problems.push(`lchost:${key}: ${show(v[key])} is not allowed ${why}`);
  };
  const onKubernetes = v.platform === "kubernetes";
  if (onKubernetes) {
    // Keys that only mean something to the Docker target: refused instead of silently ignored.
    if (v.fsb?.devicePath !== undefined) {
      problems.push(`lchost:fsb.devicePath: Docker-only (a device passed into a container); on lchost:platform 'kubernetes' use lchost:kubernetes.fsbDevice`);
    }
    if (v.generation !== undefined) {
      problems.push(`lchost:generation: Docker-only (set by lchost migrate --target docker); not allowed with lchost:platform 'kubernetes'`);
    }
    // the Docker hosts inventory: on Kubernetes the scheduler places the pods (anti-affinity spreads HA)
    for (const key of ["host", "hosts", "behindHostEntry", "balancer", "galeraArbitrator"]) {
      if (v[key] !== undefined) problems.push(`lchost:${key}: Docker-only (a host of the Docker inventory); not allowed with lchost:platform 'kubernetes'`);
    }
    if (role === "operations") problems.push(`lchost:platform: 'kubernetes' is not built for an operations stack yet; allowed: docker`);
  } else if (v.kubernetes !== undefined) {
    problems.push(`lchost:kubernetes: only allowed with lchost:platform 'kubernetes' (platform is '${v.platform ?? "docker"}')`);
  }
  const cidrShape = [...PATTERN_MEANINGS.keys()][1];
  (Array.isArray(v.connection?.ipAllowList) ? v.connection.ipAllowList : []).forEach((cidr: unknown, i: number) => {
    // the schema already named a value of the wrong shape; this checks the numbers of a well-shaped one
    if (typeof cidr === "string" && new RegExp(cidrShape).test(cidr) && !checkCidr(cidr)) {
      problems.push(`lchost:connection.ipAllowList[${i}]: '${cidr}' is not a valid CIDR (address/prefix, e.g. 203.0.113.0/24)`);
    }
  });
  const editionIsValid = EDITION_IDS.includes(v.edition);
  const includes = editionIsValid ? editionFacts(v.edition).includes : undefined;
  // Dedicated Server signs with the hosting team's shared FSB; Datacenter tenants with their shared server's.
  const usesSharedFsb = role === "customer" && includes !== undefined && !includes.dedicatedFsb;
  const CUSTOMER_ONLY = [
    "customer",
    "edition",
    "lines",
    "sharedServer",
    "connection",
    "expectedVolume",
    "startInMaintenance",
    "notifications",
    "generation",
    "balancing",
    "hosts",
    "balancer",
    "extraLines",
    "autoscale",
    "galeraArbitrator",
  ];
  const OPERATIONS_ONLY = ["fleet", "operations", "heal"];
  const fsbMode: FsbSettings["mode"] = v.fsb?.mode ?? (usesSharedFsb ? "shared" : "emulator");
  const fsbDevice = v.kubernetes?.fsbDevice;
  if (onKubernetes) {
    if (fsbMode === "device" && fsbDevice === undefined) {
      problems.push(`lchost:kubernetes.fsbDevice: required when lchost:fsb.mode is 'device' on Kubernetes (resourceName or hostPath, and nodeSelector)`);
    }
    if (fsbMode !== "device" && fsbDevice !== undefined) problems.push(`lchost:kubernetes.fsbDevice: only allowed with lchost:fsb.mode 'device'`);
    if (fsbDevice && typeof fsbDevice === "object") {
      if (fsbDevice.nodeSelector === undefined) {
        problems.push(`lchost:kubernetes.fsbDevice.nodeSelector: required: the labels of the nodes the FSB box is attached to (e.g. {lchost.dev/fsb: "true"})`);
      }
      const ways = ["resourceName", "hostPath"].filter((k) => fsbDevice[k] !== undefined);
      if (ways.length !== 1) {
        problems.push(
          `lchost:kubernetes.fsbDevice: set exactly one of resourceName (a device plugin's resource) or hostPath (the device node); got ${ways.length === 0 ? "none" : "both"}`,
        );
      }
    }
  } else if (fsbMode === "device" && !v.fsb?.devicePath) problems.push(`lchost:fsb.devicePath: required when lchost:fsb.mode is 'device' (e.g. /dev/fsb0)`);
  if (fsbMode !== "device" && v.fsb?.devicePath !== undefined && !onKubernetes)
    problems.push(`lchost:fsb.devicePath: ${show(v.fsb.devicePath)} is only allowed with lchost:fsb.mode 'device'`);
  if (fsbMode !== "emulator" && v.fsb?.signLatencyMs !== undefined) problems.push(`lchost:fsb.signLatencyMs: only applies to lchost:fsb.mode 'emulator'`);
  for (const key of ["sharedUrl", "tokenKey"]) {
    if (fsbMode !== "shared" && v.fsb?.[key] !== undefined) problems.push(`lchost:fsb.${key}: only allowed with lchost:fsb.mode 'shared'`);
    if (fsbMode === "shared" && v.fsb?.[key] === undefined && !includes?.sharedServer) {
      problems.push(`lchost:fsb.${key}: required when lchost:fsb.mode is 'shared'`);
    }
  }
  if (role !== "operations" && v.notifications && typeof v.notifications === "object" && !v.notifications.email && !v.notifications.webhook) {
    problems.push(`lchost:notifications: configure at least one of email, webhook (or leave lchost:notifications out)`);
  }
  if (role === "shared-server" && fsbMode === "shared") {
    problems.push(`lchost:fsb.mode: 'shared' is not allowed on a shared-server stack: it runs the shared FSB (allowed: emulator, device)`);
  }
  if (role !== "operations") {
    for (const key of OPERATIONS_ONLY) forbid(key, "on a customer or shared-server stack; it belongs on an operations stack (lchost:role: operations)");
  }
  if (role === "operations") {
    for (const key of [...CUSTOMER_ONLY, "tenants", "fsb", "quotaMode", "image", "host", "behindHostEntry"]) {
      forbid(key, "on an operations stack (lchost:role: operations)");
    }
    if (v.operations === undefined) problems.push(`lchost:operations: required on an operations stack (onCall receiver and smtp smarthost)`);
    const onCall = v.operations?.onCall;
    if (onCall && typeof onCall === "object" && onCall.email === undefined && onCall.webhook === undefined) {
      problems.push(`lchost:operations.onCall: configure at least one of email, webhook (the hosting team must hear of every alert)`);
    }
  } else if (role === "shared-server") {
    for (const key of CUSTOMER_ONLY) forbid(key, "on a shared-server stack (lchost:role: shared-server)");
  } else {
    forbid("tenants", "on a customer stack; list tenants on the shared-server stack");
    if (v.customer === undefined) problems.push(`lchost:customer: required but missing (the customer's DNS label)`);
    if (v.edition === undefined) problems.push(`lchost:edition: required but missing; allowed: ${EDITION_IDS.join(", ")}`);
  }

  const edition: EditionId | undefined = editionIsValid ? v.edition : undefined;
  if (role === "customer" && edition) {
    const facts = editionFacts(edition);
    if (v.lines !== undefined && edition !== "high-availability") {
      problems.push(`lchost:lines: ${show(v.lines)} is only allowed with edition high-availability (edition is '${edition}')`);
    }
    if (facts.includes.sharedServer) {
      forbid("host", `for edition '${edition}': a tenant runs on its shared server's host; set lchost:host on the shared-server stack`);
      forbid(
        "behindHostEntry",
        `for edition '${edition}': a tenant is served by its shared server's gateway; set lchost:behindHostEntry on the shared-server stack`,
      );
    } else if (facts.database.kind === "cluster") {
      forbid("host", `for edition '${edition}': its parts spread over several hosts; list them in lchost:hosts`);
    }
    if (facts.database.kind !== "cluster") forbid("hosts", `for edition '${edition}': it runs on one host; name it in lchost:host`);
    if (facts.database.kind !== "cluster") forbid("galeraArbitrator", `for edition '${edition}': it runs no Galera cluster`);
    else if (Array.isArray(v.hosts)) problems.push(...stackHostsProblems(v.hosts, v.galeraArbitrator, facts.database.nodes, v.lines ?? facts.lines.default));
    else if (v.galeraArbitrator !== undefined) problems.push(`lchost:galeraArbitrator: needs lchost:hosts (the 2 hosts of the Galera data nodes)`);
    if (v.balancer !== undefined && typeof v.balancer === "object") {
      if (facts.database.kind !== "cluster") {
        problems.push(`lchost:balancer: not allowed for edition '${edition}': only high-availability runs a balancer pair with a virtual IP`);
      } else if (!Array.isArray(v.hosts)) {
        problems.push(`lchost:balancer: needs lchost:hosts: the pair runs on the first two hosts of the stack, and the VIP moves between them`);
      } else {
        // inline hosts are checked here; inventory names once resolved (stackHostProblems)
        problems.push(
          ...balancerProblems(
            v.balancer,
            v.hosts.map((h: unknown) => (h && typeof h === "object" ? (h as { name: string; address: string }) : undefined)),
          ),
        );
      }
    }
    problems.push(...extraLinesKeyProblems(v, edition, facts.lines));
    if (facts.includes.sharedServer && v.sharedServer === undefined) {
      problems.push(`lchost:sharedServer: required for edition '${edition}' (the stack that runs the shared server)`);
    }
    if (!facts.includes.sharedServer && v.sharedServer !== undefined) {
      problems.push(`lchost:sharedServer: ${show(v.sharedServer)} is only allowed with edition datacenter`);
    }
    const conn = v.connection ?? {};
    const methods = ["clientCertificate", "ipAllowList", "basicAuth"].filter((m) => conn[m] !== undefined);
    if (!facts.includes.webServices && v.connection !== undefined) {
      problems.push(`lchost:connection: not allowed for edition '${edition}': it has no web-service access`);
    }
    if (facts.includes.webServices && methods.length === 0) {
      problems.push(`lchost:connection: edition '${edition}' publishes web services; configure at least one of clientCertificate, ipAllowList, basicAuth`);
    }
    if (v.balancing !== undefined) {
      if (edition !== "high-availability") {
        problems.push(`lchost:balancing: not allowed for edition '${edition}': only high-availability balances over several lines`);
      } else {
        problems.push(...balancingProblems(v.balancing, typeof v.lines === "number" ? v.lines : facts.lines.default));
      }
    }
    if (facts.includes.sharedServer && v.fsb !== undefined) {
      problems.push(`lchost:fsb: not allowed for edition '${edition}': its tenants use the shared server's FSB`);
    } else if (!facts.includes.dedicatedFsb && fsbMode !== "shared") {
      problems.push(`lchost:fsb.mode: '${fsbMode}' needs a dedicated FSB; edition '${edition}' uses the shared FSB (allowed: shared)`);
    } else if (facts.includes.dedicatedFsb && fsbMode === "shared") {
      problems.push(`lchost:fsb.mode: 'shared' is not allowed for edition '${edition}': it includes a dedicated FSB (allowed: emulator, device)`);
    }
  }
  const secretRefs: Array<[string, unknown]> = [
    ["connection.basicAuth.passwordKey", v.connection?.basicAuth?.passwordKey],
    ["fsb.tokenKey", v.fsb?.tokenKey],
    ["notifications.webhook.secretKey", v.notifications?.webhook?.secretKey],
    ["operations.onCall.webhook.secretKey", v.operations?.onCall?.webhook?.secretKey],
    ["operations.smtp.usernameKey", v.operations?.smtp?.usernameKey],
    ["operations.smtp.passwordKey", v.operations?.smtp?.passwordKey],
  ];
  for (const [ref, key] of secretRefs) {
    if (typeof key !== "string") continue;
    if (values[key] !== undefined) {
      problems.push(`lchost:${key}: named by lchost:${ref}, so it must be a secret; set it with 'pulumi config set --secret ${key}'`);
    } else if (!secretValues.has(key)) {
      problems.push(`lchost:${ref}: '${key}' names no secret key; set it with 'pulumi config set --secret ${key}'`);
    }
  }
  // Secret keys must be referenced by something, otherwise they are typos or leftovers.
  for (const k of secretValues) {
    if (!secretRefs.some(([, key]) => key === k)) {
      problems.push(`lchost:${k}: secret key is not used by any setting (keys that name secrets: ${secretRefs.map(([r]) => r).join(", ")})`);
    }
  }
  if (problems.length > 0) throw new StackConfigError(raw.source, [...new Set(problems)]);

  if (role === "operations") {
    return {
      role,
      name: raw.stackName,
      platform: v.platform ?? "docker",
      domain: v.domain ?? "lchost.local",
      fleet: { stacksDir: v.fleet?.stacksDir ?? "stacks/" },
      httpsPort: v.httpsPort ?? 443,
      heal: {
        stateDir: v.heal?.stateDir ?? ".docker-run",
        stacksDir: v.heal?.stacksDir ?? v.fleet?.stacksDir ?? "stacks/",
        dryRun: v.heal?.dryRun ?? false,
      },
      operations: {
        onCall: { email: v.operations.onCall?.email ?? [], webhook: v.operations.onCall?.webhook },
        smtp: { ...v.operations.smtp },
        intervals: { ...editionCatalog().monitoring.intervals, ...(v.operations.intervals ?? {}) },
      },
    };
  }

  const common: CommonConfig = {
    platform: v.platform ?? "docker",
    ...(v.host !== undefined ? { host: v.host } : {}),
    ...(v.behindHostEntry === true ? { behindHostEntry: true as const } : {}),
    ...(onKubernetes
      ? {
          kubernetes: {
            ...(v.kubernetes?.storageClass !== undefined ? { storageClass: v.kubernetes.storageClass } : {}),
            serviceType: v.kubernetes?.serviceType ?? KUBERNETES_SERVICE_TYPES[0],
            ...(fsbDevice !== undefined ? { fsbDevice: { ...fsbDevice, nodeSelector: { ...fsbDevice.nodeSelector } } } : {}),
          },
        }
      : {}),
    domain: v.domain ?? "lchost.local",
    httpsPort: v.httpsPort ?? 443,
    fsb: {
      mode: fsbMode,
      devicePath: v.fsb?.devicePath,
      signLatencyMs: fsbMode === "emulator" ? (v.fsb?.signLatencyMs ?? 0) : 0,
      sharedUrl: v.fsb?.sharedUrl,
      tokenKey: v.fsb?.tokenKey,
    },
    images: {
      licenseCentral: v.image ?? raw.defaultImages.licenseCentral,
      database: v.images?.database ?? raw.defaultImages.database,
      fsbEmulator: v.images?.fsbEmulator ?? raw.defaultImages.fsbEmulator,
      balancer: v.images?.balancer ?? raw.defaultImages.balancer,
      mysqldExporter: v.images?.mysqldExporter ?? raw.defaultImages.mysqldExporter,
    },
  };
  if (role === "shared-server") {
    return { ...common, role, name: raw.stackName, tenants: v.tenants ?? [], quotaMode: v.quotaMode ?? "soft" };
  }
  const facts = editionFacts(edition!);
  return {
    ...common,
    role: "customer",
    customer: v.customer,
    edition: edition!,
    lines: v.lines ?? facts.lines.default,
    sharedServer: v.sharedServer,
    connection: v.connection ?? {},
    expectedVolume: v.expectedVolume ?? {},
    quotaMode: v.quotaMode ?? "soft",
    startInMaintenance: v.startInMaintenance ?? false,
    ...(v.generation !== undefined ? { generation: v.generation } : {}),
    ...(v.balancing !== undefined
      ? {
          balancing: {
            algorithm: v.balancing.algorithm ?? "roundrobin",
            ...(v.balancing.weights ? { weights: [...v.balancing.weights] } : {}),
            routes: (v.balancing.routes ?? []).map((r: BalancingRoute) => ({ pathPrefix: r.pathPrefix, lines: [...r.lines] })),
            ...(v.balancing.sticky ? { sticky: v.balancing.sticky } : {}),
            ...(v.balancing.rateLimit ? { rateLimit: { requestsPerSecond: v.balancing.rateLimit.requestsPerSecond } } : {}),
          },
        }
      : {}),
    ...(v.hosts !== undefined ? { hosts: v.hosts } : {}),
    ...(v.extraLines !== undefined
      ? { extraLines: { count: v.extraLines.count, until: v.extraLines.until, ...(v.extraLines.since ? { since: v.extraLines.since } : {}) } }
      : {}),
    ...(v.autoscale !== undefined
      ? {
          autoscale: {
            maxExtraLines: v.autoscale.maxExtraLines,
            scaleUpAfterMs: durationMs(v.autoscale.scaleUpAfter ?? AUTOSCALE_DEFAULTS.scaleUpAfter),
            scaleDownAfterMs: durationMs(v.autoscale.scaleDownAfter ?? AUTOSCALE_DEFAULTS.scaleDownAfter),
          },
        }
      : {}),
    ...(v.balancer !== undefined ? { balancer: balancerSettings(v.balancer) } : {}),
    ...(v.galeraArbitrator !== undefined ? { galeraArbitrator: v.galeraArbitrator } : {}),
    notifications: v.notifications
      ? {
          email: v.notifications.email ?? [],
          webhook: v.notifications.webhook,
          language: v.notifications.language ?? "de",
          severity: v.notifications.severity ?? "warning",
        }
      : undefined,
  };
}
