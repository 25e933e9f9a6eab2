/**
 * The Alertmanager client (render/alertmanager/api.ts) and `lchost maintenance` against the real Debian
 * Alertmanager on a free loopback port; the silences are checked by what Alertmanager does with alerts.
 */
import * as http from "http";
import { AddressInfo } from "net";
import { AlertmanagerClient, AlertmanagerError } from "../../render/alertmanager/api";
import { runLchost } from "../support/cliRun";
import { RunningAlertmanager, startAlertmanager } from "../support/alertmanagerProcess";
import { EXIT } from "../../cli/exitCodes";

jest.setTimeout(120_000);

let am: RunningAlertmanager;
beforeAll(async () => {
  am = await startAlertmanager();
});
afterAll(async () => am?.stop());

const inAnHour = () => new Date(Date.now() + 3600_000).toISOString();
const aMinuteAgo = () => new Date(Date.now() - 60_000).toISOString();

/** Posts a firing alert for `customer` and answers Alertmanager's view of it (state, silencedBy). */
async function alertStatus(customer: string, alertname: string): Promise<{ state: string; silencedBy: string[] }> {
  const labels = { alertname, customer, severity: "critical", component: "line", part: "line-1" };
  const post = await fetch(`${am.url}/api/v2/alerts`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify([{ labels, startsAt: new Date().toISOString(), endsAt: inAnHour() }]),
  });
  expect(post.status).toBe(200);
  for (let i = 0; i < 50; i++) {
    const alerts = (await (await fetch(`${am.url}/api/v2/alerts?filter=${encodeURIComponent(`alertname="${alertname}"`)}`)).json()) as any[];
    const a = alerts.find((x) => x.labels.customer === customer);
    if (a) return { state: a.status.state, silencedBy: a.status.silencedBy };
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`alert ${alertname} for ${customer} never showed in Alertmanager`);
}

describe("the Alertmanager client on the real Alertmanager", () => {
  test("creates a silence, finds it in the list as active, expires it", async () => {
    const client = new AlertmanagerClient(am.url);
    const id = await client.createSilence({
      matchers: [{ name: "customer", value: "client-test", isRegex: false }],
      startsAt: new Date(Date.now() - 1000),
      endsAt: new Date(Date.now() + 600_000),
      createdBy: "lchost",
      comment: "client test",
    });
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    const listed = (await client.listSilences()).find((s) => s.id === id);
    expect(listed).toMatchObject({
      state: "active",
      createdBy: "lchost",
      comment: "client test",
      matchers: [{ name: "customer", value: "client-test", isRegex: false, isEqual: true }],
    });
    await client.expireSilence(id);
    expect((await client.listSilences()).find((s) => s.id === id)?.state).toBe("expired");
  });

  test("Alertmanager's own refusal comes back as an error with its status and reason", async () => {
    const client = new AlertmanagerClient(am.url);
    await expect(client.expireSilence("00000000-0000-0000-0000-000000000000")).rejects.toThrow(/DELETE .*\/api\/v2\/silence\/0{8}-.*: HTTP (404|500)/);
  });
});

describe("the client refuses answers that are not Alertmanager's, and waits only so long", () => {
  let server: http.Server;
  let url: string;
  let answer: (res: http.ServerResponse) => void;
  beforeAll(async () => {
    server = http.createServer((_req, res) => answer(res));
    server.requestTimeout = 10_000;
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  });

  test("an answer without silenceID", async () => {
    answer = (res) => res.end("{}");
    const s = {
      matchers: [{ name: "customer", value: "x", isRegex: false }],
      startsAt: new Date(),
      endsAt: new Date(Date.now() + 60_000),
      createdBy: "lchost",
      comment: "c",
    };
    await expect(new AlertmanagerClient(url).createSilence(s)).rejects.toThrow("POST /api/v2/silences answered without a silenceID");
  });

  test("a list whose entries lack the fields we read", async () => {
    answer = (res) => res.end(JSON.stringify([{ id: "a", status: { state: "active" } }]));
    await expect(new AlertmanagerClient(url).listSilences()).rejects.toThrow(/silence #1: field 'matchers' missing/);
  });

  test("an HTML page", async () => {
    answer = (res) => res.end("<html>hello</html>");
    await expect(new AlertmanagerClient(url).listSilences()).rejects.toThrow("the answer is not JSON (is this Alertmanager?)");
  });

  test("a server that never answers: an error after the timeout", async () => {
    answer = () => undefined;
    const t0 = Date.now();
    await expect(new AlertmanagerClient(url, { timeoutMs: 300 }).listSilences()).rejects.toThrow(AlertmanagerError);
    await expect(new AlertmanagerClient(url, { timeoutMs: 300 }).listSilences()).rejects.toThrow("no answer within 300 ms");
    expect(Date.now() - t0).toBeLessThan(5000);
  });
});

describe("lchost maintenance on the real Alertmanager", () => {
  test("silence <customer> prints the id; the customer's alerts are suppressed by it, another customer's are not", async () => {
    const r = await runLchost(
      "maintenance",
      "silence",
      "wayne",
      "--from",
      aMinuteAgo(),
      "--to",
      inAnHour(),
      "--reason",
      "Galera upgrade",
      "--alertmanager",
      am.url,
    );
    expect(r).toMatchObject({ code: EXIT.ok, err: "" });
    const id = r.out.trim();
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    expect(await alertStatus("wayne", "LineDown")).toEqual({ state: "suppressed", silencedBy: [id] });
    expect(await alertStatus("hooli", "LineDown")).toEqual({ state: "active", silencedBy: [] });
  });

  test("silence <shared server> covers each of its tenants and no one else", async () => {
    const r = await runLchost(
      "maintenance",
      "silence",
      "shared-dc1",
      "--from",
      aMinuteAgo(),
      "--to",
      inAnHour(),
      "--reason",
      "host reboot",
      "--alertmanager",
      am.url,
    );
    expect(r.code).toBe(EXIT.ok);
    const id = r.out.trim();
    expect(await alertStatus("acme", "EntryDown")).toMatchObject({ state: "suppressed", silencedBy: [id] });
    expect(await alertStatus("initech", "EntryDown")).toMatchObject({ state: "suppressed", silencedBy: [id] });
    expect(await alertStatus("acme-other", "EntryDown")).toMatchObject({ state: "active" });
  });

  test("a window in the future is pending and silences nothing yet", async () => {
    const from = new Date(Date.now() + 3600_000).toISOString();
    const to = new Date(Date.now() + 7200_000).toISOString();
    const r = await runLchost("maintenance", "silence", "globex", "--from", from, "--to", to, "--reason", "later", "--alertmanager", am.url);
    expect(r.code).toBe(EXIT.ok);
    expect(await alertStatus("globex", "QuotaWarning")).toMatchObject({ state: "active" });
    const list = await runLchost("maintenance", "silences", "--json", "--alertmanager", am.url);
    expect(JSON.parse(list.out).find((s: { id: string }) => s.id === r.out.trim())).toMatchObject({ state: "pending", comment: "later", createdBy: "lchost" });
  });

  test("silences lists it (LCHOST_ALERTMANAGER_URL works too); unsilence expires it and the alert fires again", async () => {
    const r = await runLchost(
      "maintenance",
      "silence",
      "hooli",
      "--from",
      aMinuteAgo(),
      "--to",
      inAnHour(),
      "--reason",
      "FSB firmware",
      "--alertmanager",
      am.url,
    );
    const id = r.out.trim();
    expect(await alertStatus("hooli", "FsbDown")).toMatchObject({ state: "suppressed" });
    process.env.LCHOST_ALERTMANAGER_URL = am.url;
    try {
      const list = await runLchost("maintenance", "silences");
      expect(list.code).toBe(EXIT.ok);
      expect(list.out.split("\n").find((l) => l.startsWith(id))).toMatch(/^\S+ {2}active {2}.* \{customer="hooli"\} {2}by lchost: FSB firmware$/);
      const un = await runLchost("maintenance", "unsilence", id);
      expect(un).toMatchObject({ code: EXIT.ok, out: `expired ${id}` });
      expect((await runLchost("maintenance", "silences")).out).not.toContain(id);
      expect((await runLchost("maintenance", "silences", "--all")).out).toMatch(new RegExp(`^${id} {2}expired`, "m"));
    } finally {
      delete process.env.LCHOST_ALERTMANAGER_URL;
    }
    // a new alert for hooli is no longer silenced
    expect(await alertStatus("hooli", "FsbDown2")).toMatchObject({ state: "active", silencedBy: [] });
  });
});
