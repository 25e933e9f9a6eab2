import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as YAML from "yaml";
import { stackFilePath } from "../../../model/stackFile";
import { runCli } from "../../support/gitFixture";

/** A copy of an example stack file with its config edited, in a temp folder. */
function editedStackFile(name: string, edit: (c: any) => void): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "lchost-plan-"));
  const doc = YAML.parse(fs.readFileSync(stackFilePath(name), "utf8"));
  edit(doc.config);
  const file = path.join(dir, `Pulumi.${name}.yaml`);
  fs.writeFileSync(file, YAML.stringify(doc));
  return file;
}

test("lchost plan runs the policy pack: the HA example has no violation and exits 0", async () => {
  const r = await runCli(["plan", "wayne", "--json"]);
  expect(r.code).toBe(0);
  expect(JSON.parse(r.out).violations).toEqual([]);
});

test("lchost plan --json lists a mandatory violation with policy, level, resource and message, and exits 1", async () => {
  const file = editedStackFile("hooli", (c) => (c["lchost:expectedVolume"].activationsPerMonth = 30000));
  const r = await runCli(["plan", "--stack-file", file, "--json"]);
  expect(r.code).toBe(1);
  expect(JSON.parse(r.out).violations).toEqual([
    {
      policy: "expected-volume-within-edition",
      enforcementLevel: "mandatory",
      resource: "urn:pulumi:hooli::lchost::pulumi:pulumi:Stack::lchost-hooli",
      message: expect.stringMatching(
        /^lchost:expectedVolume.activationsPerMonth: 30000 activations per month exceed the limit of High Performance, 25000; High Availability Package with 2 lines/,
      ),
    },
  ]);
});

test("lchost plan prints each violation with its policy and resource; advisory ones do not fail", async () => {
  const file = editedStackFile("globex", (c) => (c["lchost:connection"].ipAllowList = ["10.0.0.0/8"]));
  const r = await runCli(["plan", "--stack-file", file]);
  expect(r.code).toBe(0);
  expect(r.out).toContain("policies: 1 violation(s)");
  expect(r.out).toMatch(
    /\[advisory\] ip-allow-list-narrow \(urn:pulumi:globex::lchost::.*::gateway\): lchost:connection.ipAllowList: '10.0.0.0\/8' is wider than \/16/,
  );
});
