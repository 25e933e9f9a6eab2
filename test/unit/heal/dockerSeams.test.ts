/**
 * The Docker seams against a recording fake of the Engine API: which containers are a customer's parts (a
 * customer whose name contains another's is not mixed up), status from inspect, recreate from the plan
 * `lchost up` stored (nothing removed when no plan has the part), the balancer's admin socket from the
 * gateway's planned haproxy.cfg.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { DockerEngine } from "../../../dockerRun/dockerEngine";
import { dockerPartOf, DockerPartControl } from "../../../heal/seams/dockerParts";

const TYPE = "docker:index/container:Container";
const container = (name: string, extra: Record<string, unknown> = {}) => ({
  urn: `urn:${name}`,
  type: TYPE,
  dependsOn: [],
  inputs: {
    name,
    image: "lchost/license-central:dev",
    envs: ["A=1"],
    networksAdvanced: [{ name: "lc-acme", aliases: [name] }],
    restart: "unless-stopped",
    ...extra,
  },
});

class FakeEngine extends DockerEngine {
  calls: string[] = [];
  containers: Record<string, { Running: boolean; Health?: string; RestartCount: number }> = {};
  constructor() {
    super("/nonexistent.sock");
  }
  async request<T = any>(method: string, p: string, body?: unknown): Promise<{ status: number; body: T }> {
    this.calls.push(`${method} ${p.split("?")[0]}`);
    const name = decodeURIComponent(/^\/containers\/([^/?]+)/.exec(p)?.[1] ?? "");
    if (method === "GET" && p.startsWith("/containers/json")) {
      const filter = JSON.parse(decodeURIComponent(/filters=([^&]+)/.exec(p)![1])).name[0];
      return {
        status: 200,
        body: Object.keys(this.containers)
          .filter((n) => n.includes(filter))
          .map((n) => ({ Names: [`/${n}`], State: "running" })) as T,
      };
    }
    if (method === "GET" && p.endsWith("/json")) {
      const c = this.containers[name];
      if (!c) return { status: 404, body: { message: "no such container" } as T };
      return {
        status: 200,
        body: {
          RestartCount: c.RestartCount,
          State: { Running: c.Running, Status: c.Running ? "running" : "exited", Health: c.Health ? { Status: c.Health } : undefined },
          Config: {},
        } as T,
      };
    }
    if (method === "DELETE") {
      delete this.containers[name];
      return { status: 204, body: undefined as T };
    }
    if (method === "POST" && p.startsWith("/containers/create")) {
      const n = decodeURIComponent(/name=([^&]+)/.exec(p)![1]);
      this.containers[n] = { Running: false, RestartCount: 0 };
      this.calls.push(`create body ${JSON.stringify((body as any).Env)}`);
      return { status: 201, body: {} as T };
    }
    if (method === "POST" && p.endsWith("/start")) {
      this.containers[name].Running = true;
      this.containers[name].Health = "healthy";
      return { status: 204, body: undefined as T };
    }
    return { status: 200, body: {} as T };
  }
}

describe("Docker seams", () => {
  let stateDir: string;
  beforeAll(() => {
    stateDir = fs.mkdtempSync(path.join(os.tmpdir(), "hl-docker-state-"));
    fs.writeFileSync(
      path.join(stateDir, "acme.json"),
      JSON.stringify({ resources: [container("lc-acme-line-1"), container("lc-acme-line-2", { envs: ["LINE=2"] }), container("lc-acme-gateway")] }),
    );
  });
  afterAll(() => fs.rmSync(stateDir, { recursive: true, force: true }));

  it("names parts exactly: generations, the gateway, the first database node; another customer's containers are not these", () => {
    expect(dockerPartOf("acme", "/lc-acme-line-2")).toEqual({ customer: "acme", role: "line", index: 2 });
    expect(dockerPartOf("acme", "lc-acme-g3-fsb-1")).toEqual({ customer: "acme", role: "fsb", index: 1 });
    expect(dockerPartOf("acme", "lc-acme-db")).toEqual({ customer: "acme", role: "database", index: 1 });
    expect(dockerPartOf("acme", "lc-acme-gateway")).toEqual({ customer: "acme", role: "gateway" });
    expect(dockerPartOf("acme", "lc-acme-eu-line-1")).toBeUndefined();
    expect(dockerPartOf("acme", "lc-acme-db-data")).toBeUndefined();
  });

  it("lists status and restart counts from inspect", async () => {
    const d = new FakeEngine();
    d.containers = {
      "lc-acme-line-1": { Running: true, Health: "healthy", RestartCount: 0 },
      "lc-acme-line-2": { Running: true, Health: "unhealthy", RestartCount: 7 },
      "lc-acme-eu-line-2": { Running: false, RestartCount: 0 },
    };
    const parts = new DockerPartControl({ docker: d, stateDir });
    expect(await parts.list("acme")).toEqual([
      { customer: "acme", role: "line", index: 1, running: true, healthy: true, restarts: 0 },
      { customer: "acme", role: "line", index: 2, running: true, healthy: false, restarts: 7 },
    ]);
  });

  it("recreates a part from its stored plan: removed, created with the planned spec, started, healthy", async () => {
    const d = new FakeEngine();
    d.containers = { "lc-acme-line-2": { Running: true, Health: "unhealthy", RestartCount: 7 } };
    await new DockerPartControl({ docker: d, stateDir, readyTimeoutMs: 5000 }).recreate({ customer: "acme", role: "line", index: 2 });
    expect(d.calls.filter((c) => !c.startsWith("GET"))).toEqual([
      "DELETE /containers/lc-acme-line-2",
      "POST /containers/create",
      'create body ["LINE=2"]',
      "POST /containers/lc-acme-line-2/start",
    ]);
    expect(d.containers["lc-acme-line-2"]).toEqual({ Running: true, Health: "healthy", RestartCount: 0 });
  });

  it("a part no stored plan has: nothing is removed", async () => {
    const d = new FakeEngine();
    d.containers = { "lc-acme-line-3": { Running: true, RestartCount: 9 } };
    await expect(new DockerPartControl({ docker: d, stateDir }).recreate({ customer: "acme", role: "line", index: 3 })).rejects.toThrow(/no stored plan/);
    expect(d.calls.filter((c) => c.startsWith("DELETE"))).toEqual([]);
    expect(d.containers["lc-acme-line-3"]).toBeDefined();
  });
});
