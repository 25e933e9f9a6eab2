/**
 * Issue 11, 2 hosts + garbd with more lines than data nodes, for real: an HA customer with 4 lines on 2 hosts (each a
 * network namespace on a bridge; sandbox/hosts/) and the Galera arbitrator alone on a third. The single-engine plan
 * would point line 3 at Galera node 3, whose place garbd takes (no data, no MariaDB); the sandbox points every line
 * at the data node the program gives it on hosts (placeParts' lineDatabaseNodes). A client in its own namespace
 * activates tickets through the VIP only: every line serves, nothing acknowledged is lost, nothing is activated twice.
 * Own resources only (namespaces g3-*, bridge g3br, 10.247.31.0/24), removed in afterAll.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { hostsArbitrator, hostsStackText } from "../../bench/hostsFixtures";
import { statRows } from "../../haproxy/showStat";
import { customerNames } from "../../model/naming";
import { createTickets } from "../../sandbox/activationLoad";
import { HostsSandbox } from "../../sandbox/hosts/hostsSandbox";
import { summarize } from "../../sandbox/hosts/vipClient";

jest.setTimeout(180_000);

const CUSTOMER = "gthree";
const LINES = 4;
const NETWORK = "10.247";
const SUBNET = 31;

describe("an HA customer with 4 lines on 2 hosts + garbd as network namespaces: every line on a data node (sandbox hosts)", () => {
  let hs: HostsSandbox | undefined;
  const names = customerNames(CUSTOMER);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "g3-"));
  const started = Date.now();

  beforeAll(async () => {
    const stackFile = path.join(dir, `Pulumi.${CUSTOMER}.yaml`);
    fs.writeFileSync(stackFile, hostsStackText({ customer: CUSTOMER, lines: LINES, hosts: 2, subnet: SUBNET, network: NETWORK, signLatencyMs: 20 }));
    hs = await HostsSandbox.start({
      stackFile,
      tag: "g3",
      name: `g3-${process.pid}`,
      removeOnStop: true,
      serviceLogLevel: "warn",
      arbitrator: hostsArbitrator(SUBNET, NETWORK),
    });
    console.log(`sandbox on 2 hosts + garbd with ${LINES} lines up in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  });

  afterAll(async () => {
    await hs?.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it("places lines 1 and 3 on h1, 2 and 4 on h2, garbd alone on h3, and points each line at a data node", () => {
    const kinds = (h: string) =>
      hs!
        .partsOn(h)
        .map((p) => p.kind)
        .sort();
    expect(kinds("h1")).toEqual(["database", "fsb", "fsb", "haproxy", "keepalived", "license-central", "license-central"]);
    expect(kinds("h2")).toEqual(["database", "fsb", "fsb", "haproxy", "keepalived", "license-central", "license-central"]);
    expect(kinds("h3")).toEqual(["garbd"]);
    expect(hs!.databaseNodes().sort()).toEqual([names.dbHost(1), names.dbHost(2)]);
    // the node garbd replaces is planned but never started: its address is garbd's
    expect(hs!.sb.process(names.dbHost(3)).running).toBe(false);
    const dataNode = (n: number) => hs!.sb.process(names.dbHost(n)).address;
    const dbOfLine = [1, 2, 3, 4].map((l) => hs!.sb.processSpec(names.line(l)).env.DB_HOST);
    expect(dbOfLine).toEqual([dataNode(1), dataNode(2), dataNode(1), dataNode(2)]);
    expect(dbOfLine).not.toContain(hs!.sb.process(names.dbHost(3)).address);
    expect(hs!.galera(names.dbHost(1))).toMatchObject({ status: "Primary", size: 3, ready: true });
  });

  it("serves through the VIP with all 4 lines answering; nothing acknowledged lost, nothing activated twice", async () => {
    const tickets = await createTickets(hs!.sb, CUSTOMER, 240, `g3-${process.pid}`);
    const before = servedByLine(await hs!.haproxyCommand(hs!.holders()[0], "show stat"));
    const run = hs!.startClient({ tickets, concurrency: 8, durationMs: 8000, timeoutMs: 10_000, retryAfterMs: 2000, pauseMs: 0 });
    const outcomes = await run.done;
    const after = servedByLine(await hs!.haproxyCommand(hs!.holders()[0], "show stat"));
    const s = summarize(outcomes);
    const check = hs!.checkActivations(
      outcomes.filter((o) => o.acknowledged),
      outcomes.map((o) => o.ticket),
    );
    const perLine = [1, 2, 3, 4].map((l) => (after[`line${l}`] ?? 0) - (before[`line${l}`] ?? 0));
    console.log(`${JSON.stringify(s)}; 2xx answers per line ${perLine.join(", ")}; in the database: ${check.lost} lost, ${check.double} double`);
    expect(s.requests).toBeGreaterThan(40);
    expect(s.failed).toBe(0);
    expect(check.lost).toBe(0);
    expect(check.double).toBe(0);
    // every line answered activations (its database a data node that takes writes)
    for (const n of perLine) expect(n).toBeGreaterThan(0);
    console.log(`whole test file: ${((Date.now() - started) / 1000).toFixed(1)} s`);
  });
});

/** 2xx answers per server of the lines' backend on the active balancer node. */
function servedByLine(csv: string): Record<string, number> {
  return Object.fromEntries(
    statRows(csv)
      .filter((r) => r.pxname === "license_central" && /^line\d+$/.test(r.svname))
      .map((r) => [r.svname, Number(r.hrsp_2xx) || 0]),
  );
}
