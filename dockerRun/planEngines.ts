import { Plan, PlannedResource } from "../planner/mockPlanner";
import { unwrapSecrets } from "../planner/planValues";
import { DockerEngine } from "./dockerEngine";

export const DOCKER_PROVIDER_TYPE = "pulumi:providers:docker";

/** One Docker provider of a plan: an HA stack on lchost:hosts has one per host (`host-<name>`, docs/hosts.md). */
export interface PlannedDockerHost {
  /** The provider's logical name without `host-` (the stack's host name). */
  name: string;
  /** Its `host` input: the host's Docker endpoint. */
  dockerHost: string;
  engine: DockerEngine;
}

/**
 * Which Docker engine each of a plan's resources goes to, as the Pulumi engine would send it: a resource created with
 * one of the plan's own Docker providers goes to that provider's `host` (DockerEngine.forHost, one client per
 * endpoint); any other (the default provider, `docker:host`) to the default engine. A plan without providers of its
 * own is therefore applied on the default engine alone, exactly as before.
 */
export class PlanEngines {
  readonly hosts: PlannedDockerHost[] = [];
  /** Containers, networks and volumes by their Docker name (unique on a plan's engines; an image's name is not). */
  private readonly byName = new Map<string, DockerEngine>();
  private readonly byProviderUrn = new Map<string, PlannedDockerHost>();

  constructor(
    plans: Plan | Array<Plan | undefined>,
    readonly defaultEngine: DockerEngine,
    engineFor: (dockerHost: string) => DockerEngine = DockerEngine.forHost,
  ) {
    const endpoints = new Map<string, DockerEngine>();
    // later plans first, so the plan being applied (the first) decides where a name lives
    for (const plan of (Array.isArray(plans) ? plans : [plans]).filter((p): p is Plan => Boolean(p)).reverse()) {
      const providers = plan.resources.filter((r) => r.type === DOCKER_PROVIDER_TYPE);
      for (const p of providers) {
        const dockerHost = unwrapSecrets(p.inputs.host);
        if (typeof dockerHost !== "string" || dockerHost === "")
          throw new Error(
            `stack ${plan.stack}: Docker provider '${p.name}' has no host input (its Docker endpoint); cannot tell which engine its resources go to`,
          );
        let engine = endpoints.get(dockerHost);
        if (!engine) endpoints.set(dockerHost, (engine = engineFor(dockerHost)));
        const host = { name: p.name.replace(/^host-/, ""), dockerHost, engine };
        this.byProviderUrn.set(p.urn, host);
        if (!this.hosts.some((h) => h.name === host.name && h.dockerHost === dockerHost)) this.hosts.push(host);
      }
      for (const r of plan.resources) {
        if (!NAMED_TYPES.has(r.type) || typeof unwrapSecrets(r.inputs.name) !== "string") continue;
        this.byName.set(key(r.type, String(unwrapSecrets(r.inputs.name))), this.of(r));
      }
    }
  }

  /** Whether any resource goes to an engine of its own provider (the plan is spread over hosts). */
  get perHost(): boolean {
    return this.hosts.length > 0;
  }

  /** The engine of a planned resource: its provider's. */
  of(r: PlannedResource): DockerEngine {
    if (!r.provider) return this.defaultEngine;
    // a provider reference is `<provider urn>::<provider id>`
    for (const [urn, host] of this.byProviderUrn) if (r.provider.startsWith(`${urn}::`)) return host.engine;
    return this.defaultEngine;
  }

  /** The engine of a planned container, network or volume by its Docker name (the default engine for a name no plan has). */
  named(type: string, name: string): DockerEngine {
    return this.byName.get(key(type, name)) ?? this.defaultEngine;
  }

  /** Every engine the plans use, the default one first when anything goes to it. */
  engines(): DockerEngine[] {
    return [...new Set(this.byName.values())];
  }
}

const key = (type: string, name: string) => `${type}\u0000${name}`;
const NAMED_TYPES = new Set(["docker:index/container:Container", "docker:index/network:Network", "docker:index/volume:Volume"]);
