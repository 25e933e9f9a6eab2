import * as fs from "fs";
import * as path from "path";
import * as YAML from "yaml";
import { lchostPolicies } from "../../../policies/pack";
import { checkPolicies } from "../../../planner/policyCheck";
import { runPolicies, runPoliciesOnPlan, stackTagsOf, propsOf } from "../../../planner/policyRunner";
import { secretPathsOf } from "../../../policies/support/secretInputs";
import { container, example, examplePlans, setEnv, withResource } from "./examplePlans";

const POLICIES_DIR = path.join(__dirname, "../../../policies");

describe("the lchost policy pack", () => {
  // name -> enforcement level: the pack's contract, as documented in policies/README.md.
  const expected: Record<string, string> = {
    "tenant-license-central-own-network": "mandatory",
    "tenant-database-own-schema": "mandatory",
    "tenant-fsb-credentials-own": "mandatory",
    "container-no-host-access": "mandatory",
    "shared-server-container-limits": "mandatory",
    "expected-volume-within-edition": "mandatory",
    "license-central-quotas-match-catalog": "mandatory",
    "web-services-match-edition": "mandatory",
    "published-endpoints-tls-only": "mandatory",
    "web-services-authenticated": "mandatory",
    "basic-auth-only-over-tls": "mandatory",
    "ip-allow-list-not-open": "mandatory",
    "ip-allow-list-narrow": "advisory",
    "database-and-fsb-ports-not-published": "mandatory",
    "ha-lines-and-database-nodes": "mandatory",
    "ha-balancer-pair": "mandatory",
    "balancer-detects-dead-line": "mandatory",
    "long-running-containers-restart-and-health-check": "mandatory",
    "database-volumes-retained-on-delete": "mandatory",
    "secrets-not-in-plain-text": "mandatory",
    "kubernetes-namespaces-deny-by-default": "mandatory",
    "kubernetes-no-cross-tenant-network-rule": "mandatory",
    "kubernetes-pods-no-host-access": "mandatory",
    "kubernetes-pods-restricted": "mandatory",
    "kubernetes-resource-quota-matches-catalog": "mandatory",
    "kubernetes-only-gateway-exposed": "mandatory",
    "kubernetes-ha-spread-and-disruption-budgets": "mandatory",
    "kubernetes-probes-on-every-container": "mandatory",
    "kubernetes-volume-claims-retained": "mandatory",
    "kubernetes-secrets-only-in-secrets": "mandatory",
  };

  test("holds exactly the documented policies with their enforcement levels", () => {
    expect(Object.fromEntries(lchostPolicies.map((p) => [p.name, p.enforcementLevel]))).toEqual(expected);
  });

  test.each(lchostPolicies.map((p) => [p.name, p] as const))("%s has a one-sentence description", (_name, p) => {
    expect(p.description).toMatch(/^[A-Z].{20,140}\.$/);
  });

  test("tunable thresholds have a config schema", () => {
    const tunable = lchostPolicies.filter((p) => p.configSchema).map((p) => [p.name, Object.keys(p.configSchema!.properties)]);
    expect(tunable).toEqual([
      ["ip-allow-list-narrow", ["minIpv4PrefixLength", "minIpv6PrefixLength"]],
      ["balancer-detects-dead-line", ["maxDetectionSeconds"]],
    ]);
  });

  test("each policy lives in a file under policies/rules named after it", () => {
    const files = fs.readdirSync(path.join(POLICIES_DIR, "rules")).map((f) => f.replace(/\.ts$/, ""));
    const camel = (name: string) => name.replace(/-([a-z])/g, (_m, c) => c.toUpperCase());
    expect(files.sort()).toEqual(lchostPolicies.map((p) => camel(p.name)).sort());
  });

  test("PulumiPolicy.yaml runs the compiled pack with the nodejs runtime", () => {
    const yaml = YAML.parse(fs.readFileSync(path.join(POLICIES_DIR, "PulumiPolicy.yaml"), "utf8"));
    expect(yaml.runtime.name).toBe("nodejs");
    expect(yaml.description).toMatch(/lchost/);
    const pkg = JSON.parse(fs.readFileSync(path.join(POLICIES_DIR, "package.json"), "utf8"));
    expect(pkg.version).toMatch(/^\d+\.\d+\.\d+$/); // PolicyPack refuses to start without one
    expect(pkg.main).toBe("../dist/policies/index.js");
  });

  test("index.ts only constructs the pack (importing it starts a server)", () => {
    const src = fs.readFileSync(path.join(POLICIES_DIR, "index.ts"), "utf8").replace(/\/\/.*$/gm, "");
    expect(src.match(/^\w+/gm)).toEqual(["import", "import", "new"]);
  });
});

describe("the in-process runner (planner/policyRunner.ts)", () => {
  test("every example stack passes the whole pack (known component findings aside)", async () => {
    const out: Record<string, string[]> = {};
    for (const [name, e] of await examplePlans()) {
      const v = await runPolicies(e.stack, e.plan);
      if (v.length) out[name] = v.map((x) => `${x.policy}: ${x.message}`);
    }
    expect(out).toEqual({});
  });

  test("lchost plan's default policy runner is this pack", async () => {
    const globex = await example("globex");
    const plan = withResource(globex.plan, container("line-1"), (i) => setEnv(i, "DB_PASSWORD", "plain"));
    const v = await checkPolicies(globex.stack, plan);
    expect(v.map((x) => x.policy)).toEqual(["secrets-not-in-plain-text"]);
  });

  test("stack tags carry edition, lines and expected volume from the stack file", async () => {
    expect(Object.fromEntries(stackTagsOf((await example("wayne")).stack))).toEqual({
      "lchost:customer": "wayne",
      "lchost:edition": "high-availability",
      "lchost:lines": "3",
      "lchost:expectedActivationsPerMonth": "60000",
      "lchost:expectedWebServiceCallsPerMonth": "500000",
    });
    expect(stackTagsOf((await example("shared-dc1")).stack).size).toBe(0);
  });

  test("props are unwrapped and the secret values' paths recorded beside them", () => {
    const { props, secretPaths } = propsOf({
      envs: ["A=1", { $secret: true, value: "B=2" }],
      uploads: [{ file: "f", content: { $secret: true, value: "x" } }],
    });
    expect(props).toEqual({ envs: ["A=1", "B=2"], uploads: [{ file: "f", content: "x" }] });
    expect([...secretPaths]).toEqual(["envs[1]", "uploads[0].content"]);
    expect(secretPathsOf(props)).toBe(secretPaths);
  });

  test("typed policies never see other types; notApplicable() is caught; config overrides the level", async () => {
    const globex = await example("globex");
    const seen: string[] = [];
    const typed: any = (args: any) => seen.push(args.type);
    typed.__pulumiType = "docker:index/volume:Volume";
    const notApplicable = { name: "na", description: "d", enforcementLevel: "mandatory", validateResource: (args: any) => args.notApplicable("nope") };
    const reporting = { name: "always", description: "d", enforcementLevel: "mandatory", validateStack: (_a: any, report: any) => report("stack-wide") };
    const v = await runPoliciesOnPlan(globex.plan, new Map(), {
      policies: [{ name: "typed", description: "d", validateResource: typed } as any, notApplicable as any, reporting as any],
      config: { always: { enforcementLevel: "advisory" } },
    });
    expect(seen).toEqual(["docker:index/volume:Volume"]);
    expect(v).toEqual([
      { policy: "always", enforcementLevel: "advisory", resource: "urn:pulumi:globex::lchost::pulumi:pulumi:Stack::lchost-globex", message: "stack-wide" },
    ]);
  });

  test("a policy that throws fails the run with the policy and resource named", async () => {
    const globex = await example("globex");
    const broken = {
      name: "broken",
      description: "d",
      validateResource: () => {
        throw new Error("boom");
      },
    };
    await expect(runPoliciesOnPlan(globex.plan, new Map(), { policies: [broken as any] })).rejects.toThrow(
      /policy 'broken' failed on urn:pulumi:globex::lchost::.*: boom/,
    );
  });
});
