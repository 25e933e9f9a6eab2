/**
 * What applying one plan over another would do, resource by resource, and which changes lose data:
 * the engine of `lchost diff` (and of anything that compares two plans). Pure: plans in, changes out.
 */
import { LC_ENV } from "../license-central/src/env";
import { isDatabaseVolume } from "../policies/rules/databaseVolumesRetainedOnDelete";
import { CONTAINER_TYPE, editionOf, envMap, roleOf, VOLUME_TYPE } from "../policies/support/containerFacts";
import { sharedServerEditions } from "../policies/support/editionFacts";
import { Plan, PlannedResource } from "./mockPlanner";
import { aliasUrns } from "./urnAliases";
import { unwrapSecrets } from "./planValues";

/**
 * Inputs whose change makes the provider replace the resource (delete + create) instead of updating
 * it in place. "*": any input. A small table of what lchost creates; other types are updated.
 */
export const REPLACE_ON_CHANGE: Record<string, string[]> = {
  "docker:index/volume:Volume": ["name", "driver", "driverOpts", "labels"],
  "docker:index/network:Network": ["name", "driver", "options", "internal", "attachable", "ingress", "ipv6", "ipamDriver", "ipamConfigs", "labels"],
  "docker:index/container:Container": [
    "name",
    "image",
    "command",
    "entrypoints",
    "envs",
    "uploads",
    "volumes",
    "mounts",
    "ports",
    "networksAdvanced",
    "labels",
    "devices",
    "healthcheck",
    "hostname",
    "user",
    "workingDir",
    "privileged",
    "networkMode",
    "capabilities",
  ],
  "random:index/randomPassword:RandomPassword": ["*"],
  "random:index/randomString:RandomString": ["*"],
  "tls:index/privateKey:PrivateKey": ["*"],
  "tls:index/selfSignedCert:SelfSignedCert": [
    "privateKeyPem",
    "subject",
    "dnsNames",
    "ipAddresses",
    "uris",
    "validityPeriodHours",
    "allowedUses",
    "isCaCertificate",
  ],
  "tls:index/certRequest:CertRequest": ["*"],
  "tls:index/locallySignedCert:LocallySignedCert": ["certRequestPem", "caPrivateKeyPem", "caCertPem", "validityPeriodHours", "allowedUses", "isCaCertificate"],
};

export type ChangeAction = "create" | "delete" | "replace" | "update";

export interface ResourceChange {
  action: ChangeAction;
  urn: string;
  type: string;
  name: string;
  /** Top-level inputs that differ (update, replace). */
  changedInputs: string[];
  /** Why this change loses data, when it does. */
  dataLoss?: string;
}

export interface StackDiff {
  stack: string;
  base: string;
  changes: ResourceChange[];
  dataLoss: string[];
}

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

function changedInputs(before: PlannedResource, after: PlannedResource): string[] {
  const keys = new Set([...Object.keys(before.inputs), ...Object.keys(after.inputs)]);
  return [...keys].filter((k) => !same(before.inputs[k], after.inputs[k])).sort();
}

function isReplacement(type: string, changed: string[]): boolean {
  const table = REPLACE_ON_CHANGE[type] ?? [];
  return changed.length > 0 && (table.includes("*") || changed.some((k) => table.includes(k)));
}

/**
 * The databases that shared-server tenants' License Central uses (name and hosts). A dedicated
 * customer's data lives in its database volumes, judged as volumes; a tenant's lives in a schema on
 * the shared server, which no resource of the tenant's stack holds.
 */
function databasesInUse(plan: Plan | undefined): Array<{ name: string; hosts: string[] }> {
  const out: Array<{ name: string; hosts: string[] }> = [];
  for (const r of plan?.resources ?? []) {
    if (r.type !== CONTAINER_TYPE) continue;
    const c = unwrapSecrets(r.inputs) as any;
    if (roleOf(c) !== "license-central" || !sharedServerEditions().has(editionOf(c) ?? "")) continue;
    const env = envMap(c);
    const name = env.get(LC_ENV.dbName);
    if (name) out.push({ name, hosts: (env.get(LC_ENV.dbHost) ?? "").split(",").filter(Boolean) });
  }
  return out;
}

const CLAIM_TYPE = "kubernetes:core/v1:PersistentVolumeClaim";

/** The platform a plan deploys to (its `platform` stack output). */
function platformOf(plan: Plan | undefined): string | undefined {
  const p = plan?.outputs?.platform;
  return typeof p === "string" ? p : undefined;
}

/**
 * A change of lchost:platform moves the stack to other machinery: nothing carries the database or the FSB keys
 * from Docker volumes to Kubernetes claims (or back), so the new side starts empty — data loss unless the data is
 * migrated first. Undefined when the platform stays.
 */
export function platformChange(base: Plan | undefined, head: Plan | undefined): string | undefined {
  const from = platformOf(base);
  const to = platformOf(head);
  if (!from || !to || from === to) return undefined;
  return platformChangeMessage(from, to);
}

export function platformChangeMessage(from: string, to: string): string {
  return `lchost:platform changes from '${from}' to '${to}': the database and FSB keys stay on ${from} and the ${to} side starts empty; DATA LOSS unless migrated (copy the data before the switch)`;
}

/**
 * What applying `head` over `base` would do, resources matched by URN as the engine matches them: a
 * resource answers to its own URN and to those its aliases give it (an edition component aliases the
 * other editions' types, so its children keep their state across an edition change). Only custom
 * resources are listed; components hold nothing.
 */
export function diffPlans(base: Plan | undefined, head: Plan | undefined): { changes: ResourceChange[]; dataLoss: string[] } {
  const before = new Map((base?.resources ?? []).filter((r) => r.custom).map((r) => [r.urn, r]));
  const after = new Map((head?.resources ?? []).filter((r) => r.custom).map((r) => [r.urn, r]));
  const headByUrn = new Map((head?.resources ?? []).map((r) => [r.urn, r]));
  // old URN -> the new resource that takes its state (its own URN first, then its aliases)
  const successor = new Map<string, PlannedResource>();
  for (const a of after.values()) {
    const old = aliasUrns(a, headByUrn).find((u) => before.has(u) && !successor.has(u));
    if (old !== undefined) successor.set(old, a);
  }
  const taken = new Set([...successor.values()].map((a) => a.urn));
  const changes: ResourceChange[] = [];
  const oldOf = new Map<string, PlannedResource>(); // change's URN -> the old resource it changes
  for (const [urn, b] of before) {
    const a = successor.get(urn);
    if (!a) {
      changes.push({ action: "delete", urn, type: b.type, name: b.name, changedInputs: [] });
      oldOf.set(urn, b);
      continue;
    }
    const changed = changedInputs(b, a);
    if (changed.length === 0) continue;
    changes.push({ action: isReplacement(b.type, changed) ? "replace" : "update", urn: a.urn, type: b.type, name: b.name, changedInputs: changed });
    oldOf.set(a.urn, b);
  }
  for (const [urn, a] of after) if (!taken.has(urn)) changes.push({ action: "create", urn, type: a.type, name: a.name, changedInputs: [] });

  const dataLoss: string[] = [];
  for (const c of changes) {
    const b = oldOf.get(c.urn);
    if (!b || (c.action !== "delete" && c.action !== "replace") || b.type !== VOLUME_TYPE) continue;
    const inputs = unwrapSecrets(b.inputs) as any;
    if (!isDatabaseVolume(inputs)) continue;
    const kept = b.retainOnDelete ? " (retainOnDelete keeps the old Docker volume, but nothing uses it any more)" : "";
    c.dataLoss =
      c.action === "delete"
        ? `database volume '${inputs.name}' (${b.name}) would be deleted${kept}`
        : `database volume '${inputs.name}' (${b.name}) would be replaced (${c.changedInputs.join(", ")} changed${
            c.changedInputs.includes("name") ? `: now '${(unwrapSecrets(after.get(c.urn)!.inputs) as any).name}'` : ""
          }); the new volume starts empty${kept}`;
    dataLoss.push(c.dataLoss);
  }
  for (const c of changes) {
    const b = oldOf.get(c.urn);
    if (!b || (c.action !== "delete" && c.action !== "replace") || b.type !== CLAIM_TYPE) continue;
    const inputs = unwrapSecrets(b.inputs) as any;
    const holds = inputs?.metadata?.labels?.["lchost.dev/data"];
    if (!holds) continue;
    c.dataLoss = `volume claim '${inputs.metadata.name}' (${holds}) would be ${c.action === "delete" ? "deleted" : "replaced"}${b.retainOnDelete ? " (retainOnDelete keeps the claim, but nothing uses it any more)" : ""}`;
    dataLoss.push(c.dataLoss);
  }
  const moved = platformChange(base, head);
  if (moved) dataLoss.unshift(moved);
  const now = databasesInUse(head);
  for (const db of databasesInUse(base)) {
    const stillUsed = now.some((n) => n.name === db.name && n.hosts.some((h) => db.hosts.includes(h)));
    const message = `tenant database '${db.name}' on ${db.hosts.join(",")} would no longer be used by License Central`;
    if (!stillUsed && !dataLoss.includes(message)) dataLoss.push(message);
  }
  const order: ChangeAction[] = ["delete", "replace", "create", "update"];
  changes.sort((x, y) => order.indexOf(x.action) - order.indexOf(y.action) || x.urn.localeCompare(y.urn));
  return { changes, dataLoss };
}
