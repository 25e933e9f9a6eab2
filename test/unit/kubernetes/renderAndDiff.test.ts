import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as YAML from "yaml";
import { main } from "../../../cli/main";
import { diffPlans } from "../../../planner/planDiff";
import { kubernetesManifests } from "../../../planner/kubernetesManifests";
import { planValues } from "../planHelpers";
import { dedicatedValues } from "../stackFixtures";
import { k8sExample } from "./support";

jest.setTimeout(120_000);

describe("lchost render", () => {
  test("one YAML document per planned object, namespace first, Secrets as placeholders naming their source", async () => {
    const { stack, plan } = await k8sExample("globex-k8s");
    const manifests = kubernetesManifests(plan, stack);
    expect(manifests).toHaveLength(plan.resources.filter((r) => r.custom && r.type.startsWith("kubernetes:")).length);
    expect(manifests[0]).toMatchObject({ kind: "Namespace", file: "00-namespace-lc-globex-k8s.yaml" });
    const all = manifests.map((m) => m.yaml).join("\n");
    expect(all).not.toMatch(/planned[a-z]+(password|token)|planned-secret-value|-----BEGIN/i);
    const env = YAML.parse(manifests.find((m) => m.name === "lc-globex-k8s-line-1-env")!.yaml);
    expect(env.stringData.FSB_TOKEN).toBe(
      "<secret lc-globex-k8s-line-1-env/FSB_TOKEN: the secret stack config (lchost:webServicePassword, lchost:fsbToken); render it with lchost up or your secret manager>",
    );
    expect(env.stringData.DB_PASSWORD).toMatch(/the stack's random value 'db-password'/);
    const gateway = YAML.parse(manifests.find((m) => m.name === "lc-globex-k8s-gateway-secrets")!.yaml);
    expect(gateway.stringData["haproxy.cfg"]).toMatch(/basic-auth password \(secret stack config\) as its SHA-512 crypt hash/);
  });

  test("writes the files and refuses a Docker stack naming its platform", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "lchost-render-"));
    const lines: string[] = [];
    try {
      expect(
        await main(
          ["render", "acme-k8s", "--out", dir],
          (l) => lines.push(l),
          (l) => lines.push(l),
        ),
      ).toBe(0);
      const files = fs.readdirSync(dir);
      expect(files).toContain("00-namespace-lc-acme-k8s.yaml");
      expect(files.filter((f) => f.includes("-job-"))).toEqual(["10-lc-acme-k8s-job-lc-acme-k8s-line-1-db-setup.yaml"]);
      lines.length = 0;
      expect(
        await main(
          ["render", "acme", "--out", dir],
          (l) => lines.push(l),
          (l) => lines.push(l),
        ),
      ).toBe(2);
      expect(lines.join("\n")).toMatch(/lchost render writes Kubernetes objects; stack 'acme' has lchost:platform 'docker'/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("a platform change in lchost diff", () => {
  test("is DATA LOSS unless migrated, both ways", async () => {
    const docker = await planValues("globex", dedicatedValues());
    const k8s = await planValues("globex", { ...dedicatedValues(), platform: "kubernetes" });
    expect(diffPlans(docker, k8s).dataLoss[0]).toBe(
      "lchost:platform changes from 'docker' to 'kubernetes': the database and FSB keys stay on docker and the kubernetes side starts empty; DATA LOSS unless migrated (copy the data before the switch)",
    );
    expect(diffPlans(k8s, docker).dataLoss).toContain(
      "lchost:platform changes from 'kubernetes' to 'docker': the database and FSB keys stay on kubernetes and the docker side starts empty; DATA LOSS unless migrated (copy the data before the switch)",
    );
    expect(diffPlans(k8s, k8s).dataLoss).toEqual([]);
  });
});
