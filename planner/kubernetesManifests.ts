/**
 * The planned Kubernetes objects of a stack as manifests for `kubectl apply -f` or a GitOps repository (Argo CD,
 * Flux): one YAML document per object, ordered so that a plain `kubectl apply -f <dir>` creates namespaces before
 * what lives in them. Secret values never appear: each key of a Secret holds a placeholder that names where the
 * real value comes from (a random password of the stack, a secret stack config key, the gateway's TLS key).
 */
import * as YAML from "yaml";
import { Plan, PLACEHOLDER_SECRET } from "./mockPlanner";
import { isKubernetesResource } from "./kubernetesSchema";
import { unwrapSecrets } from "./planValues";
import { StackFile } from "../model/stackFile";

export interface Manifest {
  /** e.g. 06-lc-wayne-k8s-deployment-lc-wayne-k8s-line-1.yaml */
  file: string;
  kind: string;
  name: string;
  namespace?: string;
  yaml: string;
}

const ORDER = [
  "Namespace",
  "ResourceQuota",
  "LimitRange",
  "NetworkPolicy",
  "Secret",
  "ConfigMap",
  "PersistentVolumeClaim",
  "Service",
  "StatefulSet",
  "Deployment",
  "Job",
  "PodDisruptionBudget",
];

/** Where the planned placeholder values came from: the planner's stand-ins for random and TLS results and secret config. */
function secretSources(plan: Plan, stack: StackFile): Array<{ marker: string; source: string }> {
  const out: Array<{ marker: string; source: string }> = [];
  for (const r of plan.resources) {
    if (r.type === "random:index/randomPassword:RandomPassword" || r.type === "random:index/randomString:RandomString") {
      out.push({ marker: `planned${r.name.replace(/[^A-Za-z0-9]/g, "")}`, source: `the stack's random value '${r.name}' (pulumi stack output or state)` });
    } else if (r.type === "tls:index/privateKey:PrivateKey") {
      out.push({ marker: `(planned ${r.name})`, source: `the TLS private key '${r.name}'` });
    } else if (r.type === "tls:index/selfSignedCert:SelfSignedCert") {
      out.push({ marker: `(planned ${r.name})`, source: `the TLS certificate '${r.name}'` });
    }
  }
  const keys = stack.secretKeys.join(", ");
  if (keys) out.push({ marker: PLACEHOLDER_SECRET, source: `the secret stack config (${keys})` });
  return out;
}

function placeholderOf(secretName: string, key: string, value: unknown, sources: Array<{ marker: string; source: string }>): string {
  const text = typeof value === "string" ? value : JSON.stringify(value);
  const from = sources.filter((s) => text.includes(s.marker)).map((s) => s.source);
  // the basic-auth password reaches haproxy.cfg only as a hash of the secret config value
  if (/^\s*user \S+ password \$6\$/m.test(text)) from.push("the basic-auth password (secret stack config) as its SHA-512 crypt hash");
  const derived = text.length > 0 && from.length > 0 ? (text.split("\n").length > 1 || from.length > 1 ? "rendered from " : "") : "";
  return `<secret ${secretName}/${key}: ${from.length ? `${derived}${[...new Set(from)].join(" + ")}` : "set by the deployment"}; render it with lchost up or your secret manager>`;
}

/** Manifests of every Kubernetes object of a plan; secrets as placeholders. */
export function kubernetesManifests(plan: Plan, stack: StackFile): Manifest[] {
  const sources = secretSources(plan, stack);
  const objects = plan.resources.filter(isKubernetesResource).map((r) => unwrapSecrets(r.inputs) as any);
  objects.sort((a, b) => ORDER.indexOf(a.kind) - ORDER.indexOf(b.kind));
  return objects.map((o) => {
    const object = JSON.parse(JSON.stringify(o));
    if (object.kind === "Secret") {
      for (const field of ["stringData", "data"]) {
        if (!object[field]) continue;
        object[field] = Object.fromEntries(Object.entries(object[field]).map(([k, v]) => [k, placeholderOf(object.metadata.name, k, v, sources)]));
      }
    }
    const rank = String(Math.max(0, ORDER.indexOf(object.kind))).padStart(2, "0");
    const ns = object.metadata?.namespace ? `${object.metadata.namespace}-` : "";
    return {
      file: `${rank}-${ns}${String(object.kind).toLowerCase()}-${object.metadata?.name}.yaml`,
      kind: object.kind,
      name: object.metadata?.name,
      namespace: object.metadata?.namespace,
      yaml: `# Rendered by lchost render ${stack.stackName} (planned offline; secrets are placeholders)\n${YAML.stringify(object, { lineWidth: 0 })}`,
    };
  });
}
