/**
 * The CLI loads only the module of the command it runs: `lchost sla report` or `lchost incident` must not
 * pay Pulumi's and the planner's 1.5–2.5 s of require time (cli/main.ts, `commands`). Pulumi is replaced
 * by a module that fails when loaded, so a command that loads it any way returns an internal error.
 */
jest.mock("@pulumi/pulumi", () => {
  throw new Error("@pulumi/pulumi was loaded");
});

import { runLchost } from "../../support/cliRun";
import { EXIT } from "../../../cli/exitCodes";

jest.setTimeout(60_000);

const run = runLchost;

test.each(["sla", "incident", "fleet", "editions", "schema", "maintenance", "heal"])("lchost %s --help loads no Pulumi", async (name) => {
  const r = await run(name, "--help");
  expect(r.err).toBe("");
  expect(r.code).toBe(EXIT.ok);
  expect(r.out).toMatch(new RegExp(`^Usage: lchost ${name} `, "m"));
});

test("the check can fail: plan needs Pulumi, and loading it fails here", async () => {
  const r = await run("plan", "--help");
  expect(r.code).toBe(EXIT.internal);
  expect(r.err).toContain("@pulumi/pulumi was loaded");
});
