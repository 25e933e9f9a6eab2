/**
 * `--target docker` (dockerRun/) and an HA stack on lchost:hosts: the runner applies a plan on one engine, so a plan
 * with per-host Docker providers is refused naming its hosts (nothing is created); the keepalived container's host
 * network and NET_ADMIN are carried into the Engine API body like the provider would.
 */
import { containerSpec } from "../../../dockerRun/containerSpec";
import { DockerEngine } from "../../../dockerRun/dockerEngine";
import { applyPlanInDocker, stagePlanInDocker } from "../../../dockerRun/applyPlanInDocker";
import { runPlanInDocker } from "../../../dockerRun/runPlanInDocker";
import { container, planValues } from "../planHelpers";
import { haValues } from "../stackFixtures";

jest.setTimeout(180_000); // a whole stack planned under the mock runtime on a loaded 2-core machine

const inline = (name: string, address: string) => ({ name, dockerHost: `ssh://deploy@${address}`, address });
const values = {
  ...haValues(),
  hosts: [inline("h1", "10.20.0.11"), inline("h2", "10.20.0.12"), inline("h3", "10.20.0.13")],
  balancer: { virtualIp: "10.20.0.100" },
};

/** An engine that fails the test if anything is asked of it. */
class NoEngine extends DockerEngine {
  request(): never {
    throw new Error("the engine was called");
  }
}

describe("--target docker and an HA stack on hosts", () => {
  test("runPlanInDocker, applyPlanInDocker and stagePlanInDocker refuse the plan, naming its hosts, before calling the engine", async () => {
    const plan = await planValues("wayne", values);
    const why =
      "stack wayne: its parts are spread over hosts (lchost:hosts: h1 (ssh://deploy@10.20.0.11), h2 (ssh://deploy@10.20.0.12), h3 (ssh://deploy@10.20.0.13)), one Docker provider each; --target docker applies a plan on one engine and does not deploy per-host providers yet: use the Pulumi target (lchost up wayne)";
    await expect(runPlanInDocker(plan, new NoEngine())).rejects.toThrow(why);
    await expect(applyPlanInDocker(plan, undefined, new NoEngine())).rejects.toThrow(why);
    await expect(stagePlanInDocker(plan, undefined, new NoEngine())).rejects.toThrow(why);
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
