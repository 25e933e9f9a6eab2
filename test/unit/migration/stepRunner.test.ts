import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { ProgressLog } from "../../../migration/progressLog";
import { AuditEntry, AuditFile, runSteps, Step, StepsRolledBack } from "../../../migration/stepRunner";

type Ctx = { done: string[] };

function recorder() {
  const lines: string[] = [];
  const audit: AuditEntry[] = [];
  return { lines, audit, opts: { log: new ProgressLog((l) => lines.push(l)), audit: { record: (e: AuditEntry) => audit.push(e) } } };
}

const step = (name: string, extra: Partial<Step<Ctx>> = {}): Step<Ctx> => ({
  name,
  run: async (c) => void c.done.push(name),
  undo: { name: `undo ${name}`, run: async (c) => void c.done.push(`undo ${name}`) },
  ...extra,
});
const failing = (name: string, extra: Partial<Step<Ctx>> = {}): Step<Ctx> =>
  step(name, { run: async () => Promise.reject(new Error(`${name} broke`)), ...extra });

describe("the step runner", () => {
  test("runs every step in order and writes one audit line per step", async () => {
    const r = recorder();
    const c: Ctx = { done: [] };
    await runSteps([step("a"), step("b", { run: async (x) => (x.done.push("b"), "2 tables") }), step("skipped", { when: () => false })], c, r.opts);
    expect(c.done).toEqual(["a", "b"]);
    expect(r.audit.map((e) => [e.phase, e.step, e.ok, e.detail])).toEqual([
      ["do", "a", true, undefined],
      ["do", "b", true, "2 tables"],
    ]);
    expect(r.lines[1]).toMatch(/ok +b \(\d+\.\d\d s\): 2 tables/);
  });

  test("a failure runs the undos of the steps done, newest first, and throws StepsRolledBack naming the step", async () => {
    const r = recorder();
    const c: Ctx = { done: [] };
    const err = await runSteps([step("a"), step("b"), failing("c")], c, r.opts).catch((e) => e);
    expect(err).toBeInstanceOf(StepsRolledBack);
    expect(err).toMatchObject({ failedStep: "c", message: "c broke", undoFailures: [] });
    expect(c.done).toEqual(["a", "b", "undo b", "undo a"]);
    expect(r.audit.map((e) => `${e.phase} ${e.step} ${e.ok}`)).toEqual(["do a true", "do b true", "do c false", "undo undo b true", "undo undo a true"]);
    expect(r.lines).toContain("rolling back: c broke");
  });

  test("a step that may leave effects when it fails half way is undone too", async () => {
    const c: Ctx = { done: [] };
    await expect(runSteps([step("a"), failing("b", { undoAfterOwnFailure: true })], c, recorder().opts)).rejects.toThrow("b broke");
    expect(c.done).toEqual(["a", "undo b", "undo a"]);
  });

  test("an undo that fails is reported and the older undos still run", async () => {
    const c: Ctx = { done: [] };
    const err = await runSteps(
      [step("a"), step("b", { undo: { name: "undo b", run: async () => Promise.reject(new Error("no")) } }), failing("c")],
      c,
      recorder().opts,
    ).catch((e) => e);
    expect(err.undoFailures).toEqual(["undo b: no"]);
    expect(c.done).toEqual(["a", "b", "undo a"]);
  });

  test("an undo whose condition no longer holds is skipped", async () => {
    const c: Ctx = { done: [] };
    await runSteps(
      [step("a", { undo: { name: "undo a", when: () => false, run: async (x) => void x.done.push("undo a") } }), failing("b")],
      c,
      recorder().opts,
    ).catch(() => undefined);
    expect(c.done).toEqual(["a"]);
  });

  test("after the point of no return a failure is thrown as it is, nothing undone", async () => {
    const c: Ctx = { done: [] };
    const err = await runSteps([step("a"), step("switch", { pointOfNoReturn: true }), failing("c")], c, recorder().opts).catch((e) => e);
    expect(err).not.toBeInstanceOf(StepsRolledBack);
    expect(err.message).toBe("c broke");
    expect(c.done).toEqual(["a", "switch"]);
  });

  test("a test hook that throws before a step is a failure of that step", async () => {
    const c: Ctx = { done: [] };
    const beforeStep = async (h: string) => {
      if (h === "restore") throw new Error("injected");
    };
    const err = await runSteps([step("a"), step("b", { hook: "restore" })], c, { ...recorder().opts, beforeStep }).catch((e) => e);
    expect(err).toMatchObject({ failedStep: "b", message: "injected" });
    expect(c.done).toEqual(["a", "undo a"]);
  });

  test("AuditFile appends one JSON line per entry with its fields, readable only by the owner", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "audit-"));
    try {
      const a = new AuditFile(path.join(dir, "x", "s-audit.jsonl"), { stack: "s" });
      a.record({ at: "2026-11-28T00:00:00.000Z", phase: "do", step: "dump", ok: true, ms: 12 });
      a.record({ at: "2026-11-28T00:00:01.000Z", phase: "undo", step: "maintenance off", ok: false, ms: 3, detail: "timeout" });
      const lines = fs
        .readFileSync(a.file, "utf8")
        .trim()
        .split("\n")
        .map((l) => JSON.parse(l));
      expect(lines).toEqual([
        { stack: "s", at: "2026-11-28T00:00:00.000Z", phase: "do", step: "dump", ok: true, ms: 12 },
        { stack: "s", at: "2026-11-28T00:00:01.000Z", phase: "undo", step: "maintenance off", ok: false, ms: 3, detail: "timeout" },
      ]);
      expect(fs.statSync(a.file).mode & 0o077).toBe(0);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
