/**
 * dockerRun/ and an HA stack on lchost:hosts: runPlanInDocker sends each resource to the engine of its Docker provider
 * (the provider's `host`), a plan without providers of its own stays on the one engine; so does the update path
 * (applyPlanInDocker, stagePlanInDocker, requireImages: `lchost up --target docker`); the keepalived container's host network and NET_ADMIN are carried into the Engine API body like the
 * provider would.
 */
import { containerSpec } from "../../../dockerRun/containerSpec";
import { DockerEngine } from "../../../dockerRun/dockerEngine";
import { applyPlanInDocker, stagePlanInDocker } from "../../../dockerRun/applyPlanInDocker";
import { PlanEngines } from "../../../dockerRun/planEngines";
import { requireImages } from "../../../dockerRun/imagePrecondition";
import { runPlanInDocker } from "../../../dockerRun/runPlanInDocker";
import { Plan } from "../../../planner/mockPlanner";
import { unwrapSecrets } from "../../../planner/planValues";
import { container, planValues, upload } from "../planHelpers";
import { haValues } from "../stackFixtures";

jest.setTimeout(180_000); // a whole stack planned under the mock runtime on a loaded 2-core machine

const inline = (name: string, address: string) => ({ name, dockerHost: `ssh://deploy@${address}`, address });
const values = {
  ...haValues(),
  hosts: [inline("h1", "10.20.0.11"), inline("h2", "10.20.0.12"), inline("h3", "10.20.0.13")],
  balancer: { virtualIp: "10.20.0.100" },
};
const twoHostsAndGarbd = {
  ...haValues(),
  hosts: [inline("h1", "10.20.0.11"), inline("h2", "10.20.0.12")],
  // the arbitrator's host on h1's engine under an address of its own (the engines proof runs it so)
  galeraArbitrator: { name: "h3", dockerHost: "ssh://deploy@10.20.0.11", address: "10.20.0.13" },
  balancer: { virtualIp: "10.20.0.100" },
};

/** An engine that fails the test if anything is asked of it. */
class NoEngine extends DockerEngine {
  request(): never {
    throw new Error("the engine was called");
  }
}

/** An engine that answers like one where everything starts healthy (a job exits 0), and records what it was asked. */
class RecordingEngine extends DockerEngine {
  readonly calls: string[] = [];
  constructor(readonly label: string) {
    super("/nonexistent.sock");
  }
  async request(method: string, path: string): Promise<{ status: number; body: unknown }> {
    this.calls.push(`${method} ${path}`);
    if (method === "GET" && /^\/containers\/[^/]+\/json$/.test(path))
      return { status: 200, body: { State: { Status: "exited", ExitCode: 0, Running: true, Health: { Status: "healthy" } } } };
    return { status: 201, body: {} };
  }
  /** Names created with `POST /<kind>/create` on this engine. */
  created(kind: "containers" | "networks" | "volumes"): string[] {
    return this.calls.flatMap((c) => {
      if (kind === "containers") return /^POST \/containers\/create\?name=(.+)$/.exec(c)?.[1] ?? [];
      return c === `POST /${kind}/create` ? ["?"] : [];
    });
  }
}

/** The host a planned Docker resource's provider is for ("" = the default provider). */
function hostOf(plan: Plan, name: string, type = "docker:index/container:Container"): string {
  const r = plan.resources.find((x) => x.type === type && unwrapSecrets(x.inputs.name) === name)!;
  const p = plan.resources.find((x) => x.type === "pulumi:providers:docker" && r.provider?.startsWith(`${x.urn}::`));
  return p ? p.name.replace(/^host-/, "") : "";
}
const namesOf = (plan: Plan, type: string) => plan.resources.filter((r) => r.type === type).map((r) => String(unwrapSecrets(r.inputs.name)));

describe("runPlanInDocker and a plan spread over hosts", () => {
  test("each container, network and volume goes to the engine of its provider's host; nothing to the default engine", async () => {
    const plan = await planValues("wayne", values);
    const engines = new Map<string, RecordingEngine>();
    const engineFor = (dockerHost: string) => {
      const e = new RecordingEngine(dockerHost);
      engines.set(dockerHost, e);
      return e;
    };
    const deployment = await runPlanInDocker(plan, new NoEngine(), 60_000, { engineFor });
    expect([...engines.keys()]).toEqual(["ssh://deploy@10.20.0.11", "ssh://deploy@10.20.0.12", "ssh://deploy@10.20.0.13"]);
    const byHost = { h1: engines.get("ssh://deploy@10.20.0.11")!, h2: engines.get("ssh://deploy@10.20.0.12")!, h3: engines.get("ssh://deploy@10.20.0.13")! };
    // every planned container created exactly once, on its host's engine
    const planned = namesOf(plan, "docker:index/container:Container");
    for (const [host, engine] of Object.entries(byHost))
      expect(engine.created("containers").sort()).toEqual(planned.filter((c) => hostOf(plan, c) === host).sort());
    expect(Object.values(byHost).flatMap((e) => e.created("containers")).length).toBe(planned.length);
    expect(byHost.h2.created("containers")).toEqual(expect.arrayContaining(["lc-wayne-db-2", "lc-wayne-line-2", "lc-wayne-fsb-2", "lc-wayne-gateway-2"]));
    // a host's network and its database volume on that host only
    const body = (engine: RecordingEngine, path: string) => engine.calls.filter((c) => c.startsWith(`POST ${path}`)).length;
    for (const engine of Object.values(byHost)) {
      expect(body(engine, "/networks/create")).toBe(1);
      expect(body(engine, "/volumes/create")).toBe(
        namesOf(plan, "docker:index/volume:Volume").filter((v) => engine === byHost[hostOf(plan, v, "docker:index/volume:Volume") as "h1"]).length,
      );
    }
    // a line waits for the database nodes on the other hosts: asked on their engines
    expect(byHost.h3.calls).toContain("GET /containers/lc-wayne-db-3/json");
    // remove() deletes each container on the engine that has it
    await deployment.remove();
    expect(byHost.h2.calls).toContain("DELETE /containers/lc-wayne-line-2?force=1&v=1");
    expect(byHost.h1.calls).not.toContain("DELETE /containers/lc-wayne-line-2?force=1&v=1");
  });

  test("two hosts + garbd on a host that shares the first engine: one client per endpoint, garbd beside node 1", async () => {
    const plan = await planValues("wayne", twoHostsAndGarbd);
    const made: string[] = [];
    const routes = new PlanEngines(plan, new NoEngine(), (dockerHost) => {
      made.push(dockerHost);
      return new RecordingEngine(dockerHost);
    });
    expect(made).toEqual(["ssh://deploy@10.20.0.11", "ssh://deploy@10.20.0.12"]);
    expect(routes.hosts.map((h) => [h.name, h.dockerHost])).toEqual([
      ["h1", "ssh://deploy@10.20.0.11"],
      ["h2", "ssh://deploy@10.20.0.12"],
      ["h3", "ssh://deploy@10.20.0.11"],
    ]);
    const label = (name: string) => (routes.named("docker:index/container:Container", name) as RecordingEngine).label;
    expect(label("lc-wayne-db")).toBe("ssh://deploy@10.20.0.11");
    expect(label("lc-wayne-db-2")).toBe("ssh://deploy@10.20.0.12");
    const garbd = namesOf(plan, "docker:index/container:Container").find((n) => n.endsWith("-garbd"))!;
    expect(label(garbd)).toBe("ssh://deploy@10.20.0.11");
    // an image has one name on every host that needs it: each goes to the engine of its own provider
    const images = plan.resources.filter((r) => r.type === "docker:index/remoteImage:RemoteImage" && unwrapSecrets(r.inputs.name) === "lchost/haproxy:dev");
    expect(images.map((r) => (routes.of(r) as RecordingEngine).label).sort()).toEqual(["ssh://deploy@10.20.0.11", "ssh://deploy@10.20.0.12"]);
  });

  test("a plan without providers of its own stays on the one engine it is given (no other endpoint is opened)", async () => {
    const plan = await planValues("wayne", haValues());
    const engine = new RecordingEngine("default");
    const engineFor = jest.fn();
    await runPlanInDocker(plan, engine, 60_000, { engineFor });
    expect(engineFor).not.toHaveBeenCalled();
    expect(engine.created("containers").sort()).toEqual(namesOf(plan, "docker:index/container:Container").sort());
  });
});

describe("the balancer pair's monitor on a real engine", () => {
  const cfg = (plan: Plan, name: string) => String(unwrapSecrets(upload(container(plan, name), "/usr/local/etc/haproxy/haproxy.cfg").content));

  test("a pair node's monitor listens on the container's address: its port is published on the host's 127.0.0.1, which Docker forwards there, not to the container's loopback", async () => {
    const plan = await planValues("wayne", values);
    for (const node of ["lc-wayne-gateway", "lc-wayne-gateway-2"]) {
      expect(cfg(plan, node)).toMatch(/^frontend monitor\n {2}bind \*:8404\n {2}monitor-uri \/haproxy-health$/m);
      expect(unwrapSecrets(container(plan, node).inputs.ports)).toContainEqual({ internal: 8404, external: 18500, ip: "127.0.0.1" });
    }
  });

  test("a gateway that publishes no monitor keeps it on the container's loopback (its own health check)", async () => {
    const plan = await planValues("wayne", haValues());
    expect(cfg(plan, "lc-wayne-gateway")).toMatch(/^frontend monitor\n {2}bind 127\.0\.0\.1:8404$/m);
  });
});

describe("the update path (lchost up --target docker) and an HA stack on hosts", () => {
  test("applyPlanInDocker, stagePlanInDocker and requireImages route each name to its host's engine, the default engine is never asked", async () => {
    const plan = await planValues("wayne", values);
    const engines = new Map<string, RecordingEngine>();
    const engineFor = (dockerHost: string) => {
      const e = engines.get(dockerHost) ?? new RecordingEngine(dockerHost);
      engines.set(dockerHost, e);
      return e;
    };
    const h2 = () => engines.get("ssh://deploy@10.20.0.12")!;
    await requireImages(plan, new NoEngine(), engineFor);
    expect(h2().calls).toContain("GET /images/lchost/keepalived:dev/json");
    expect(engines.get("ssh://deploy@10.20.0.13")!.calls).not.toContain("GET /images/lchost/keepalived:dev/json"); // h3 runs no balancer
    const applied = await applyPlanInDocker(plan, undefined, new NoEngine(), { timeoutMs: 60_000, engineFor });
    expect(applied.created.length).toBe(namesOf(plan, "docker:index/container:Container").length);
    expect(h2().created("containers").sort()).toEqual(
      namesOf(plan, "docker:index/container:Container")
        .filter((c) => hostOf(plan, c) === "h2")
        .sort(),
    );
    // the engine already had a container under each planned name (RecordingEngine answers every GET): removed there, on h2 for h2's
    expect(h2().calls).toContain("DELETE /containers/lc-wayne-line-2?force=1&v=1");
    expect(engines.get("ssh://deploy@10.20.0.11")!.calls).not.toContain("DELETE /containers/lc-wayne-line-2?force=1&v=1");
    // staging beside itself starts nothing (every name is taken), but asks each name on its own engine
    engines.clear();
    expect(await stagePlanInDocker(plan, undefined, new NoEngine(), 60_000, undefined, engineFor)).toEqual([]);
    expect(h2().calls).toContain("GET /containers/lc-wayne-db-2/json");
  });

  test("keepalived's Engine API body: host network and NET_ADMIN; other containers unchanged (no CapAdd key)", async () => {
    const plan = await planValues("wayne", values);
    const vrrp = containerSpec(container(plan, "lc-wayne-gateway-vrrp-1").inputs).body.HostConfig as Record<string, unknown>;
    expect(vrrp).toMatchObject({ NetworkMode: "host", CapAdd: ["NET_ADMIN"], Privileged: false });
    const line = containerSpec(container(plan, "lc-wayne-line-1").inputs).body.HostConfig as Record<string, unknown>;
    expect(line.NetworkMode).toBe("lc-wayne-h1");
    expect("CapAdd" in line).toBe(false);
    expect(line.PortBindings).toEqual({ "8080/tcp": [{ HostIp: "10.20.0.11", HostPort: "8080" }] });
  });
});

describe("lchost migrate and an HA stack on hosts", () => {
  test("the Docker target refuses it, saying why, instead of asking for a `migration` output", async () => {
    const { DockerTarget } = await import("../../../migration/dockerTarget");
    const plan = await planValues("wayne", values);
    const outputs = Object.fromEntries(Object.entries(plan.outputs).map(([k, v]) => [k, { value: v, secret: false }]));
    const deployer = { name: "fake", stagesBeforeUpdate: false, outputs: async () => outputs } as never;
    const target = new DockerTarget({ stackName: "wayne", deployer, docker: new NoEngine() });
    await expect(target.current()).rejects.toThrow(
      "stack wayne is spread over hosts (lchost:hosts): lchost migrate reaches a stack through one Docker engine and does not migrate a stack on several hosts yet (docs/hosts.md)",
    );
  });
});
