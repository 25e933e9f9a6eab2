/** The runtime-independent parts of the Galera seam: the data-directory preparation, the status rows, container names. */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { dbNodeIndex, parseWsrepStatus, prepareScript } from "../../../heal/seams/galera";

describe("prepareScript", () => {
  let dir: string;
  beforeEach(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), "lchost-galera-prep-"))));
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));
  const run = (as: "founder" | "joiner") => spawnSync("sh", ["-c", prepareScript(as, "2026-11-28T20-00-00-000Z"), "prepare", dir], { encoding: "utf8" });
  const grastate = (safe: number) =>
    `# GALERA saved state\nversion: 2.1\nuuid:    6a3e1c2b-0000-11ee-9d4f-1b2c3d4e5f60\nseqno:   -1\nsafe_to_bootstrap: ${safe}\n`;

  it("founder: safe_to_bootstrap 1, the start script's one-time marker, both saved views moved aside", () => {
    fs.writeFileSync(path.join(dir, "grastate.dat"), grastate(0));
    fs.writeFileSync(path.join(dir, "gvwstate.dat"), "view");
    fs.writeFileSync(path.join(dir, "gvwstate.dat.lchost"), "copy");
    expect(run("founder").status).toBe(0);
    expect(fs.readFileSync(path.join(dir, "grastate.dat"), "utf8")).toBe(grastate(1));
    expect(fs.existsSync(path.join(dir, "lchost-heal-bootstrap"))).toBe(true);
    expect(fs.readdirSync(dir).sort()).toEqual([
      "grastate.dat",
      "gvwstate.dat.heal-2026-11-28T20-00-00-000Z",
      "gvwstate.dat.lchost.heal-2026-11-28T20-00-00-000Z",
      "lchost-heal-bootstrap",
    ]);
  });

  it("joiner: safe_to_bootstrap 0 even after a clean stop marked it, no marker", () => {
    fs.writeFileSync(path.join(dir, "grastate.dat"), grastate(1));
    fs.writeFileSync(path.join(dir, "lchost-heal-bootstrap"), "");
    expect(run("joiner").status).toBe(0);
    expect(fs.readFileSync(path.join(dir, "grastate.dat"), "utf8")).toBe(grastate(0));
    expect(fs.existsSync(path.join(dir, "lchost-heal-bootstrap"))).toBe(false);
  });

  it("refuses a data directory without grastate.dat, and a stamp that is not a plain word", () => {
    const r = run("founder");
    expect(r.status).toBe(3);
    expect(r.stderr).toContain("no grastate.dat");
    expect(() => prepareScript("founder", "x; rm -rf /")).toThrow(/stamp/);
  });
});

it("parseWsrepStatus reads wsrep_ready, size and status; no answer is not ready", () => {
  expect(parseWsrepStatus(2, true, "wsrep_cluster_size\t3\nwsrep_cluster_status\tPrimary\nwsrep_ready\tON\n")).toEqual({
    node: 2,
    running: true,
    ready: true,
    clusterSize: 3,
    clusterStatus: "Primary",
  });
  expect(parseWsrepStatus(1, true, "wsrep_cluster_status\tnon-Primary\nwsrep_ready\tOFF\n")).toEqual({
    node: 1,
    running: true,
    ready: false,
    clusterSize: undefined,
    clusterStatus: "non-Primary",
  });
  expect(parseWsrepStatus(3, true, undefined)).toEqual({ node: 3, running: true, ready: false });
});

it("dbNodeIndex follows model/naming.ts: …-db is node 1, …-db-N node N", () => {
  expect(dbNodeIndex("/lc-hooli-db")).toBe(1);
  expect(dbNodeIndex("lc-hooli-g2-db-3")).toBe(3);
  expect(dbNodeIndex("lc-hooli-db-exporter")).toBeUndefined();
  expect(dbNodeIndex("lc-hooli-line-1")).toBeUndefined();
});
