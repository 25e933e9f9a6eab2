/**
 * Offline validation of every Kubernetes object a plan holds, against the Kubernetes API's OpenAPI schemas as
 * compiled by the `kubernetes-models` package (no download, no cluster). Two checks per object:
 * - the schema's own validation: types, enums, formats and required fields;
 * - every field name against the schema's properties, which the schema validation does not do (Kubernetes'
 *   schemas allow unknown fields; the API server then drops them silently — a misspelt `readOnlyRootFilesytem`
 *   would deploy a writable root). The compiled validator reads each property its schema declares, and
 *   enumerates the keys of maps (labels, data); we watch it through a Proxy, so the declared properties come
 *   from the very schema that validated the object. A field it never read on an object it inspected is unknown.
 * A failure names the resource and the field path.
 */
import * as path from "path";
import { Plan, PlannedResource } from "./mockPlanner";
import { unwrapSecrets } from "./planValues";

/**
 * The Kubernetes version the schemas are those of. kubernetes-models 4.5.1's README badge still says 1.27.1, but its
 * schemas are 1.33's: they have Lifecycle.stopSignal (new in 1.33) and lack PodCertificateProjection (new in
 * 1.34); test/unit/kubernetes/schemaValidation.test.ts checks both.
 */
export const KUBERNETES_SCHEMA_VERSION = "1.33";

export interface SchemaProblem {
  urn: string;
  /** kubernetes:<group>/<version>:<Kind> */
  type: string;
  /** The object's name (metadata.name), or the resource's. */
  object: string;
  /** Dotted path of the field, e.g. spec.template.spec.containers[0].securityContext.runAsNonRoot */
  field: string;
  message: string;
}

type Validate = ((data: unknown) => boolean) & { errors?: Array<{ instancePath: string; keyword: string; params: any }> | null };

const GROUPS: Record<string, string> = {
  core: "Core",
  apps: "Apps",
  batch: "Batch",
  policy: "Policy",
  "networking.k8s.io": "Networking",
  "storage.k8s.io": "Storage",
  "rbac.authorization.k8s.io": "Rbac",
  autoscaling: "Autoscaling",
};

const schemasDir = path.join(path.dirname(require.resolve("kubernetes-models")), "_schemas");
const validators = new Map<string, Validate>();

/** The compiled schema of a Pulumi Kubernetes type; throws naming the type when the models have none. */
export function schemaValidator(type: string): Validate {
  let v = validators.get(type);
  if (v) return v;
  const m = /^kubernetes:([^/]+)\/([^:]+):(.+)$/.exec(type);
  const group = m ? GROUPS[m[1]] : undefined;
  if (!m || !group) throw new Error(`${type}: no Kubernetes ${KUBERNETES_SCHEMA_VERSION} schema known for this type`);
  const id = `IoK8sApi${group}${m[2][0].toUpperCase()}${m[2].slice(1)}${m[3]}`;
  v = (require(path.join(schemasDir, `${id}.js`)) as { validate: Validate }).validate;
  validators.set(type, v);
  return v;
}

interface Visit {
  read: Set<string>;
  enumerated: boolean;
}

/** A deep Proxy of `value` that records, per path, which keys were read and whether the keys were listed. */
function watched(value: unknown, at: string, visits: Map<string, Visit>): unknown {
  if (!value || typeof value !== "object") return value;
  const visit = (): Visit => {
    let v = visits.get(at);
    if (!v) visits.set(at, (v = { read: new Set(), enumerated: false }));
    return v;
  };
  return new Proxy(value as object, {
    get(target, key, receiver) {
      const inner = Reflect.get(target, key, receiver);
      if (typeof key !== "string") return inner;
      if (Array.isArray(target)) return /^\d+$/.test(key) ? watched(inner, `${at}[${key}]`, visits) : inner;
      visit().read.add(key);
      return watched(inner, at === "" ? key : `${at}.${key}`, visits);
    },
    has(target, key) {
      if (typeof key === "string" && !Array.isArray(target)) visit().read.add(key);
      return Reflect.has(target, key);
    },
    ownKeys(target) {
      if (!Array.isArray(target)) visit().enumerated = true;
      return Reflect.ownKeys(target);
    },
  });
}

function unknownFields(value: unknown, at: string, visits: Map<string, Visit>, out: string[]): void {
  if (!value || typeof value !== "object") return;
  if (Array.isArray(value)) {
    value.forEach((x, i) => unknownFields(x, `${at}[${i}]`, visits, out));
    return;
  }
  const visit = visits.get(at);
  // never inspected: a free-form value (x-kubernetes-preserve-unknown-fields) or below an unknown field
  if (!visit || visit.enumerated) return;
  for (const [key, x] of Object.entries(value)) {
    if (x === undefined) continue;
    const child = at === "" ? key : `${at}.${key}`;
    if (!visit.read.has(key)) out.push(child);
    else unknownFields(x, child, visits, out);
  }
}

function fieldOf(instancePath: string, extra?: string): string {
  const parts = instancePath.split("/").filter(Boolean);
  if (extra) parts.push(extra);
  return parts.reduce((acc, p) => (/^\d+$/.test(p) ? `${acc}[${p}]` : acc === "" ? p : `${acc}.${p}`), "");
}

function describe(e: { keyword: string; params: any }): string {
  switch (e.keyword) {
    case "required":
      return "required but missing";
    case "type":
      return `must be of type ${e.params.type}`;
    case "enum":
      return `must be one of ${(e.params.allowedValues as unknown[]).map((x) => JSON.stringify(x)).join(", ")}`;
    case "format":
      return `must be ${e.params.format}`;
    default:
      return `fails ${e.keyword} ${JSON.stringify(e.params)}`;
  }
}

/** Problems of one Kubernetes object (plain, secrets unwrapped): schema errors, then unknown fields. */
export function validateKubernetesObject(type: string, object: Record<string, unknown>): Array<{ field: string; message: string }> {
  const validate = schemaValidator(type);
  const visits = new Map<string, Visit>();
  const ok = validate(watched(object, "", visits));
  const problems: Array<{ field: string; message: string }> = [];
  if (!ok) {
    for (const e of validate.errors ?? []) {
      // an anyOf (int-or-string) reports each branch; the branch errors say enough
      if (e.keyword === "anyOf") continue;
      const field = fieldOf(e.instancePath, e.keyword === "required" ? e.params.missingProperty : undefined);
      problems.push({ field, message: describe(e) });
    }
  }
  const unknown: string[] = [];
  unknownFields(object, "", visits, unknown);
  for (const field of unknown) problems.push({ field, message: `unknown field: the Kubernetes ${KUBERNETES_SCHEMA_VERSION} schema has no such property` });
  return problems;
}

export const isKubernetesResource = (r: PlannedResource): boolean => r.custom && r.type.startsWith("kubernetes:") && !r.type.startsWith("kubernetes:index/");

/** Every Kubernetes object of a plan, validated; [] when all pass. */
export function validatePlanAgainstKubernetesSchemas(plan: Plan): SchemaProblem[] {
  const out: SchemaProblem[] = [];
  for (const r of plan.resources.filter(isKubernetesResource)) {
    const object = unwrapSecrets(r.inputs) as Record<string, unknown>;
    const name = (object.metadata as { name?: string } | undefined)?.name ?? r.name;
    for (const p of validateKubernetesObject(r.type, object)) out.push({ urn: r.urn, type: r.type, object: name, ...p });
  }
  return out;
}

/** One line per problem: "<type> <name>: <field>: <message>". */
export function formatSchemaProblem(p: SchemaProblem): string {
  return `${p.type} ${p.object}: ${p.field}: ${p.message}`;
}
