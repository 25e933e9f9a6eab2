import * as fs from "fs";
import * as path from "path";
import { affectedStacks, isDocumentation } from "../../cli/commands/check";
import { gitFixture, GitFixture, runCli } from "../support/gitFixture";

jest.setTimeout(120_000);

let fx: GitFixture;
beforeEach(() => {
  fx = gitFixture();
});
afterEach(() => fx.remove());

const check = (...more: string[]) => runCli(["check", "--changed-since", "HEAD", "--stacks-dir", fx.stacks, ...more]);

test("only the stack whose file changed is planned and checked", async () => {
  fx.editStack("hooli", (c) => (c["lchost:fsb"] = { mode: "emulator", signLatencyMs: 80 }));
  const r = await check();
  expect(r.out.split("\n")).toEqual(["checking 1 stack(s) changed since HEAD", "hooli: ok"]);
  expect(r.code).toBe(0);
});

test("a documentation change checks nothing", async () => {
  fx.write("README.md", "changed\n");
  const r = await check();
  expect(r.out).toBe("no stack changed since HEAD");
  expect(r.code).toBe(0);
});

test("a mandatory violation fails the check with the policy and message", async () => {
  fx.editStack("globex", (c) => ((c["lchost:connection"] as any).ipAllowList = ["0.0.0.0/0"]));
  const r = await check();
  expect(r.code).toBe(1);
  expect(r.out).toContain("globex: violations (1 mandatory)");
  expect(r.out).toMatch(/\[mandatory\] ip-allow-list-not-open \(urn:pulumi:globex::.*gateway\): lchost:connection.ipAllowList: '0.0.0.0\/0'/);
});

test("a changed stack claiming another customer's host name fails the check (host-names-distinct, over every stack file)", async () => {
  fx.editStack("globex", (c) => (c["lchost:customer"] = "hooli"));
  const r = await check();
  expect(r.code).toBe(1);
  expect(r.out).toContain("globex: violations (1 mandatory)");
  expect(r.out).toMatch(
    /\[mandatory\] host-names-distinct \(globex\): customer 'hooli' claims the host name hooli\.lchost\.local, which stack hooli \(customer 'hooli'\) claims too/,
  );
});

test("a platform change fails the check: DATA LOSS unless migrated", async () => {
  fx.editStack("hooli", (c) => {
    c["lchost:platform"] = "kubernetes";
    c["lchost:fsb"] = { mode: "emulator", signLatencyMs: 50 };
  });
  const r = await check();
  expect(r.code).toBe(1);
  expect(r.out).toContain("hooli: violations (1 mandatory)");
  expect(r.out).toContain(
    "[mandatory] platform-change-moves-data: lchost:platform changes from 'docker' to 'kubernetes': the database and FSB keys stay on docker and the kubernetes side starts empty; DATA LOSS unless migrated (copy the data before the switch)",
  );
});

test("an invalid stack file fails the check and names the key", async () => {
  fx.editStack("hooli", (c) => (c["lchost:edition"] = "gold"));
  const r = await check();
  expect(r.code).toBe(1);
  expect(r.out).toContain("hooli: invalid");
  expect(r.out).toContain("  - lchost:edition: 'gold' is not allowed; allowed: datacenter, dedicated, high-performance, high-availability");
});

test("a changed shared server also checks its tenants", async () => {
  fx.editStack("shared-dc1", (c) => (c["lchost:fsb"] = { mode: "emulator", signLatencyMs: 20 }));
  const r = await check("--json");
  const report = JSON.parse(r.out);
  expect(report.allStacks).toBe(false);
  expect(report.stacks.map((s: any) => s.stack)).toEqual(["acme", "initech", "shared-dc1"]);
});

test("a change outside stacks/ (shared code) checks every stack", async () => {
  fx.write("components/Something.ts", "export {};\n");
  const r = await check("--json");
  const report = JSON.parse(r.out);
  expect(report.allStacks).toBe(true);
  expect(report.stacks.map((s: any) => s.stack)).toEqual([
    "acme",
    "acme-k8s",
    "globex",
    "globex-k8s",
    "hooli",
    "hooli-k8s",
    "initech",
    "initech-k8s",
    "ops-dc1",
    "shared-dc1",
    "shared-dc2-k8s",
    "wayne",
    "wayne-k8s",
  ]);
});

test("committed changes since the ref count, not only the working tree", async () => {
  fx.editStack("wayne", (c) => (c["lchost:lines"] = 4));
  fx.commit("wayne: 4 lines");
  const r = await runCli(["check", "--changed-since", "HEAD~1", "--stacks-dir", fx.stacks]);
  expect(r.out.split("\n")).toEqual(["checking 1 stack(s) changed since HEAD~1", "wayne: ok"]);
  expect(r.code).toBe(0);
});

test("a deleted stack file is reported, not planned", async () => {
  fs.rmSync(path.join(fx.stacks, "Pulumi.hooli.yaml"));
  const r = await check();
  expect(r.out.split("\n")).toEqual(["checking 1 stack(s) changed since HEAD", "hooli: deleted"]);
  expect(r.code).toBe(0);
});

test("--changed-since is required", async () => {
  const r = await runCli(["check"]);
  expect(r.code).toBe(2);
  expect(r.out).toContain("lchost check: required option '--changed-since <git-ref>' not specified");
});

test("documentation is recognised by extension or folder", () => {
  expect(["README.md", "docs/x.png", "policies/README.md", "LICENSE"].every(isDocumentation)).toBe(true);
  expect(["components/a.ts", "model/catalog.yaml", "package.json"].some(isDocumentation)).toBe(false);
});

test("affectedStacks with the stacks folder at the repository root", () => {
  const r = affectedStacks(["Pulumi.wayne.yaml"], fx.stacks, fx.stacks);
  expect(r).toEqual({ stacks: ["wayne"], all: false });
});

test("a changed customer stack also affects the operations stack whose fleet is that folder (its targets change), not one watching another folder", () => {
  expect(affectedStacks(["stacks/Pulumi.hooli.yaml"], fx.root, fx.stacks).stacks).toEqual(["hooli"]); // ops-dc1 watches the repository's stacks/
  fx.editStack("ops-dc1", (c) => (c["lchost:fleet"] = { stacksDir: fx.stacks }));
  expect(affectedStacks(["stacks/Pulumi.hooli.yaml"], fx.root, fx.stacks).stacks).toEqual(["hooli", "ops-dc1"]);
  expect(affectedStacks(["stacks/Pulumi.ops-dc1.yaml"], fx.root, fx.stacks).stacks).toEqual(["ops-dc1"]);
});
