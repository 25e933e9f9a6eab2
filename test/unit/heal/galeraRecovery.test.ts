import {
  chooseBootstrapNode,
  GaleraStateUnreadable,
  markSafeToBootstrap,
  NodeState,
  parseGrastate,
  parseRecoveredPosition,
} from "../../../heal/galeraRecovery";

const U = "6f0a7f2e-8d3c-11ef-9a4b-2b9f1c0e7d11";
const OTHER = "0b1c2d3e-8d3c-11ef-9a4b-2b9f1c0e7d11";
const grastate = (seqno: number, safe = 0, uuid = U) => `# GALERA saved state\nversion: 2.1\nuuid:    ${uuid}\nseqno:   ${seqno}\nsafe_to_bootstrap: ${safe}\n`;
const crashed = (node: string, recoveredSeqno: number, uuid = U): NodeState => ({
  node,
  grastate: parseGrastate(grastate(-1)),
  recovered: { uuid, seqno: recoveredSeqno },
});

describe("reading a node's Galera state", () => {
  test("grastate.dat after a crash and after a clean stop", () => {
    expect(parseGrastate(grastate(-1))).toEqual({ uuid: U, seqno: -1, safeToBootstrap: false });
    expect(parseGrastate(grastate(1234, 1))).toEqual({ uuid: U, seqno: 1234, safeToBootstrap: true });
  });

  test("a damaged grastate.dat is refused, naming the line", () => {
    expect(() => parseGrastate("version: 2.1\nseqno: 5\n")).toThrow(/'uuid:'/);
    expect(() => parseGrastate(grastate(-1).replace("seqno:   -1", "seqno: x"))).toThrow(GaleraStateUnreadable);
    expect(() => parseGrastate(grastate(3).replace("safe_to_bootstrap: 0", "safe_to_bootstrap: yes"))).toThrow(/safe_to_bootstrap/);
  });

  test("the recovered position as MariaDB 10.11 logs it: no newline before the next line's timestamp", () => {
    // verbatim from `mariadbd --wsrep-recover --log-error=…` on this machine's MariaDB 10.11 (fresh data directory)
    const real =
      "2026-11-28 17:40:32 0 [Note] WSREP: Recovered position: 00000000-0000-0000-0000-000000000000:-12026-11-28 17:40:30 0 [Warning] Could not increase number of max_open_files to more than 20000 (request: 32184)\n";
    expect(parseRecoveredPosition(real)).toEqual({ uuid: "00000000-0000-0000-0000-000000000000", seqno: -1 });
    expect(parseRecoveredPosition(`x [Note] WSREP: Recovered position: ${U}:11775\n`)).toEqual({ uuid: U, seqno: 11775 });
    expect(parseRecoveredPosition(`x [Note] WSREP: Recovered position: ${U}:42,0-1-42\n`)).toEqual({ uuid: U, seqno: 42 });
    expect(parseRecoveredPosition(`mysqld_safe WSREP: Recovered position ${U}:7`)).toEqual({ uuid: U, seqno: 7 });
    expect(parseRecoveredPosition(`WSREP: Recovered position: ${U}:5\nWSREP: Recovered position: ${U}:9\n`).seqno).toBe(9);
    expect(() => parseRecoveredPosition("[ERROR] Aborting\n")).toThrow(/Recovered position/);
  });
});

describe("choosing the one node that founds the cluster again", () => {
  test("after every node crashed, the most advanced recovered position wins — whatever the order", () => {
    const nodes = [crashed("db-1", 118), crashed("db-2", 121), crashed("db-3", 120)];
    for (const order of [nodes, [...nodes].reverse(), [nodes[2], nodes[0], nodes[1]]]) {
      const d = chooseBootstrapNode(order);
      expect(d).toMatchObject({ kind: "bootstrap", node: "db-2", position: { uuid: U, seqno: 121 } });
      if (d.kind === "bootstrap") expect(d.joiners.sort()).toEqual(["db-1", "db-3"]);
    }
  });

  test("a clean shutdown's last node (safe_to_bootstrap: 1, seqno written) wins, even when not first by name", () => {
    const d = chooseBootstrapNode([
      { node: "db-1", grastate: parseGrastate(grastate(90)) },
      { node: "db-2", grastate: parseGrastate(grastate(91)) },
      { node: "db-3", grastate: parseGrastate(grastate(92, 1)) },
    ]);
    expect(d).toMatchObject({ kind: "bootstrap", node: "db-3" });
  });

  test("a tie: the safe_to_bootstrap node, then the first name; never two founders", () => {
    expect(chooseBootstrapNode([crashed("db-2", 50), crashed("db-1", 50)])).toMatchObject({ kind: "bootstrap", node: "db-1" });
    const tie = chooseBootstrapNode([
      { node: "db-1", grastate: parseGrastate(grastate(50)) },
      { node: "db-2", grastate: parseGrastate(grastate(50, 1)) },
    ]);
    expect(tie).toMatchObject({ kind: "bootstrap", node: "db-2", joiners: ["db-1"] });
  });

  test("a node whose state cannot be read may hold the newest writes: nothing is bootstrapped", () => {
    const d = chooseBootstrapNode([crashed("db-1", 10), { node: "db-2", unreadable: "host h2 unreachable" }, crashed("db-3", 9)]);
    expect(d.kind).toBe("refuse");
    if (d.kind === "refuse") expect(d.why).toMatch(/db-2 \(host h2 unreachable\)/);
  });

  test("no committed position, nodes of different clusters, duplicates: refused with the reason", () => {
    const none = chooseBootstrapNode([crashed("db-1", -1), crashed("db-2", 4)]);
    expect(none).toMatchObject({ kind: "refuse" });
    if (none.kind === "refuse") expect(none.why).toMatch(/db-1/);
    const split = chooseBootstrapNode([crashed("db-1", 4), crashed("db-2", 9, OTHER)]);
    expect(split).toMatchObject({ kind: "refuse" });
    if (split.kind === "refuse") expect(split.why).toMatch(/different clusters/);
    expect(chooseBootstrapNode([crashed("db-1", 4), crashed("db-1", 5)])).toMatchObject({ kind: "refuse" });
    expect(chooseBootstrapNode([])).toMatchObject({ kind: "refuse" });
  });

  test("marking the chosen node safe to bootstrap changes that line only", () => {
    const text = grastate(-1);
    const marked = markSafeToBootstrap(text);
    expect(marked).toBe(text.replace("safe_to_bootstrap: 0", "safe_to_bootstrap: 1"));
    expect(parseGrastate(marked).safeToBootstrap).toBe(true);
    expect(markSafeToBootstrap("version: 2.1\nuuid: x\nseqno: -1")).toMatch(/seqno: -1\nsafe_to_bootstrap: 1\n$/);
  });
});
