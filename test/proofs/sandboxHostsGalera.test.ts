/**
 * Issue 11's Galera proof on the sandbox's hosts (sandbox/hosts/: each host a network namespace on a bridge, a
 * whole host killed = its link down and SIGKILL to every process in it):
 * - 3 data nodes on 3 hosts: losing one host keeps the cluster writable; losing 2 of 3 makes the survivor refuse
 *   writes (non-Primary: no split brain); it takes writes again when a host returns, with every write it had.
 * - 2 data nodes on 2 hosts + garbd on a third: the same — losing the arbitrator's or a data node's host keeps the
 *   cluster writable; losing a data host and the arbitrator's makes the survivor refuse writes; it recovers when the
 *   data host returns.
 * Real processes, ≈ 2-4 min: run with `npm run proof:sandbox-hosts` (both locks), not in CI's projects.
 * Own resources only (namespaces nsg-*, nsa-*, bridges nsgbr/nsabr, 10.245.5.0/24 and 10.245.6.0/24).
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { hostsArbitrator, hostsStackText } from "../../bench/hostsFixtures";
import { HostsSandbox } from "../../sandbox/hosts/hostsSandbox";

jest.setTimeout(400_000);

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until<T>(what: string, withinMs: number, probe: () => T, ok: (v: T) => boolean): Promise<{ value: T; ms: number }> {
  const t = Date.now();
  for (;;) {
    const value = probe();
    if (ok(value)) return { value, ms: Date.now() - t };
    if (Date.now() - t > withinMs) throw new Error(`${what}: not within ${withinMs} ms (last: ${JSON.stringify(value)})`);
    await sleep(250);
  }
}

function scenario(title: string, o: { tag: string; subnet: number; hosts: 2 | 3 }) {
  describe(title, () => {
    let hs: HostsSandbox | undefined;
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), `${o.tag}-`));
    const customer = o.tag;
    const db1 = `lc-${customer}-db`;
    const db2 = `lc-${customer}-db-2`;

    beforeAll(async () => {
      const stackFile = path.join(dir, `Pulumi.${customer}.yaml`);
      fs.writeFileSync(stackFile, hostsStackText({ customer, lines: 2, hosts: o.hosts, subnet: o.subnet, signLatencyMs: 10 }));
      hs = await HostsSandbox.start({
        stackFile,
        tag: o.tag,
        name: `${o.tag}-${process.pid}`,
        removeOnStop: true,
        serviceLogLevel: "warn",
        ...(o.hosts === 2 ? { arbitrator: hostsArbitrator(o.subnet) } : {}),
        log: (l) => console.log(l),
      });
    });

    afterAll(async () => {
      await hs?.stop();
      fs.rmSync(dir, { recursive: true, force: true });
    });

    it("runs one Galera member per host (garbd on the third when the data nodes are on two) and takes writes", () => {
      expect(hs!.galera(db1)).toMatchObject({ status: "Primary", size: 3, ready: true });
      const dbHosts = hs!.hosts().filter((h) => hs!.partsOn(h).some((p) => p.kind === "database"));
      expect(dbHosts).toEqual(o.hosts === 3 ? ["h1", "h2", "h3"] : ["h1", "h2"]);
      if (o.hosts === 2) expect(hs!.partsOn("h3").map((p) => p.kind)).toEqual(["garbd"]);
      expect(hs!.tryWrite(db1, "before")).toEqual({ ok: true });
    });

    it("losing one host (h3: a data node, or the arbitrator) keeps the cluster writable", async () => {
      hs!.killHost("h3");
      const { ms } = await until(
        "the cluster without h3",
        30_000,
        () => hs!.galera(db1),
        (g) => g.status === "Primary" && g.size === 2,
      );
      console.log(`${title}: h3 killed, cluster of 2 after ${ms} ms`);
      expect(hs!.tryWrite(db1, "one-host-lost-1")).toEqual({ ok: true });
      expect(hs!.tryWrite(db2, "one-host-lost-2")).toEqual({ ok: true });
    });

    it("losing a second host (h2) makes the survivor refuse writes: no split brain", async () => {
      hs!.killHost("h2");
      const { value, ms } = await until(
        "the survivor non-Primary",
        30_000,
        () => hs!.galera(db1),
        (g) => g.status !== "Primary",
      );
      console.log(`${title}: h2 killed too, survivor ${JSON.stringify(value)} after ${ms} ms`);
      const refused = hs!.tryWrite(db1, "after-two-lost");
      console.log(`${title}: write on the survivor: ${JSON.stringify(refused)}`);
      expect(refused.ok).toBe(false);
    });

    it("recovers when a data host (h2) returns: writable again, with every write it had", async () => {
      const t = Date.now();
      await hs!.restoreHost("h2", { kinds: ["database"], waitForDatabases: false });
      const { value } = await until(
        "the cluster writable again",
        180_000,
        () => hs!.galera(db1),
        (g) => g.status === "Primary" && g.ready,
      );
      await until(
        "node 2 Synced",
        120_000,
        () => hs!.galera(db2),
        (g) => g.state === "Synced",
      );
      console.log(`${title}: h2 back, ${JSON.stringify(value)} after ${Date.now() - t} ms`);
      expect(hs!.tryWrite(db1, "recovered")).toEqual({ ok: true });
      const labels = hs!.probeLabels(db2);
      expect(labels).toEqual(expect.arrayContaining(["before", "one-host-lost-1", "one-host-lost-2", "recovered"]));
      expect(labels).not.toContain("after-two-lost");
    });
  });
}

scenario("Galera on 3 hosts", { tag: "nsg", subnet: 5, hosts: 3 });
scenario("Galera on 2 hosts + garbd on a third", { tag: "nsa", subnet: 6, hosts: 2 });
