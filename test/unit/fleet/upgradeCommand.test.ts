/** lchost fleet upgrade refuses bad input before anything starts, each time naming the flag (no Docker needed). */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { EXIT } from "../../../cli/exitCodes";
import { runLchost } from "../../support/cliRun";

let dir: string;

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "lchost-upgrade-cmd-"));
  fs.writeFileSync(path.join(dir, "Pulumi.upc-shared.yaml"), "config:\n  lchost:role: shared-server\n  lchost:tenants: [upc-a]\n");
  fs.writeFileSync(path.join(dir, "Pulumi.upc-a.yaml"), "config:\n  lchost:customer: upc-a\n  lchost:edition: datacenter\n  lchost:sharedServer: upc-shared\n");
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const upgrade = (...extra: string[]) =>
  runLchost("fleet", "upgrade", "--image", "lchost/license-central:dev", "--stacks-dir", dir, "--target", "docker", ...extra);

test.each([
  [["--canary", "-1"], "lchost fleet: --canary: '-1' is not allowed (a whole number ≥ 0)"],
  [["--batch", "0"], "lchost fleet: --batch: '0' is not allowed (a whole number ≥ 1)"],
  [["--max-failures", "0"], "lchost fleet: --max-failures: '0' is not allowed (a whole number ≥ 1)"],
  [["--select", "customer=nobody"], "lchost fleet: --select customer=nobody matches no customer stack on Docker (customers: upc-a)"],
  [["--select", "colour=red"], "lchost fleet: --select: unknown key 'colour' in 'colour=red' (allowed: edition, customer, host)"],
  [["--target", "pulumi"], "lchost fleet: --target pulumi: not yet: use --target docker (stacks deployed by 'lchost up <stack> --target docker')"],
])("%j is refused naming the flag (exit 2)", async (flags, message) => {
  const r = await upgrade(...flags);
  expect(r).toMatchObject({ code: EXIT.usage, out: "" });
  expect(r.err).toBe(message);
});

test("a customer not deployed on Docker is refused by name, nothing upgraded", async () => {
  const r = await upgrade();
  expect(r.code).toBe(EXIT.usage);
  expect(r.err).toMatch(
    /^lchost fleet: --target docker: upc-a was not deployed on Docker by lchost \(no state in .*\.docker-run\); deploy with 'lchost up <stack> --target docker' or leave it out with --select; nothing was upgraded$/,
  );
});

test("without --image the command is refused naming it", async () => {
  const r = await runLchost("fleet", "upgrade", "--stacks-dir", dir, "--target", "docker");
  expect(r.code).toBe(EXIT.usage);
  expect(r.err).toContain("--image");
});

test("--dry-run prints the order and changes nothing", async () => {
  const before = fs.readFileSync(path.join(dir, "Pulumi.upc-a.yaml"), "utf8");
  const r = await runLchost("fleet", "upgrade", "--image", "x:y", "--stacks-dir", dir, "--target", "docker", "--dry-run", "--select", "edition=datacenter");
  expect(r).toMatchObject({ code: EXIT.ok, err: "" });
  expect(r.out.split("\n")).toEqual([
    "upgrade to x:y: 1 customer(s) in order upc-a; 1 canary(ies), then 0 batch(es) of up to 5; stop at 1 failure(s)",
    "  canary 1: upc-a",
    "dry run: nothing was changed (neither the deployments nor the image were checked)",
  ]);
  expect(fs.readFileSync(path.join(dir, "Pulumi.upc-a.yaml"), "utf8")).toBe(before);
});
