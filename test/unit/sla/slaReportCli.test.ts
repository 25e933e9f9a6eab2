/** lchost sla report: what it refuses before (and when) it talks to Prometheus. The real exchange: test/alerts/slaReport.test.ts. */
import * as fs from "fs";
import * as http from "http";
import { AddressInfo } from "net";
import * as os from "os";
import * as path from "path";
import { EXIT } from "../../../cli/exitCodes";
import { runLchost } from "../../support/cliRun";

const prom = ["--prometheus", "http://127.0.0.1:9"];
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "lchost-sla-cli-"));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));
const file = (name: string, text: string) => {
  const f = path.join(tmp, name);
  fs.writeFileSync(f, text);
  return f;
};

test.each([
  [["report", "--month", "2026-13", ...prom], /^lchost sla: --month: '2026-13': month 13 does not exist/],
  [["report", "--month", "2026-2", ...prom], /^lchost sla: --month: '2026-2' is not a month as YYYY-MM/],
  [["report", "--month", "2026-02", "--stack", "nosuch", ...prom], /^lchost sla: --stack: unknown stack 'nosuch' .*known: .*wayne/],
  [["report", "--month", "2026-02", "--json", "--csv", ...prom], /^lchost sla: --json and --csv exclude each other/],
  [["report", "--month", "2026-02", "--prometheus", "ftp://x"], /^lchost sla: --prometheus: 'ftp:\/\/x' must be an http:\/\/ or https:\/\/ URL/],
  [["report", "--month", "2026-02", ...prom, "--maintenance", "/nonexistent.json"], /^lchost sla: --maintenance: '\/nonexistent.json' does not exist/],
  [
    [
      "report",
      "--month",
      "2026-02",
      ...prom,
      "--maintenance",
      file(
        "bad.json",
        `{"announcements":[{"customers":["acme"],"from":"2026-02-01T02:00:00Z","to":"2026-02-01T01:00:00Z","announcedAt":"2026-01-01T00:00:00Z","reason":"x"}]}`,
      ),
    ],
    /^lchost sla: --maintenance: .*bad.json: announcements\[0\]\.to: .* must be after from/,
  ],
  [
    [
      "report",
      "--month",
      "2026-02",
      ...prom,
      "--maintenance",
      file("late.json", `{"announcements":[{"customers":["acme"],"from":"2026-02-01T02:00:00Z","to":"2026-02-01T03:00:00Z","reason":"x"}]}`),
    ],
    /announcements\[0\]\.announcedAt: null is not an ISO 8601 time/,
  ],
  [["report", "--month", "2099-01", ...prom], /^lchost sla: --month: 2099-01 has not begun yet/],
  [["report", ...prom], /required option '--month <YYYY-MM>' not specified/],
  [["nonsense"], /^lchost sla: unknown subcommand 'nonsense' \(allowed: report\)/],
])("lchost sla %j exits 2 naming the flag", async (argv, message) => {
  const r = await runLchost("sla", ...argv);
  expect(r.err).toMatch(message);
  expect(r).toMatchObject({ code: EXIT.usage, out: "" });
});

test("--publish without a portal is refused before Prometheus is asked", async () => {
  const saved = { url: process.env.LCHOST_PORTAL_URL, token: process.env.LCHOST_PORTAL_TOKEN_FILE };
  delete process.env.LCHOST_PORTAL_URL;
  delete process.env.LCHOST_PORTAL_TOKEN_FILE;
  try {
    const none = await runLchost("sla", "report", "--month", "2026-02", ...prom, "--publish");
    expect(none).toMatchObject({ code: EXIT.usage, out: "" });
    expect(none.err).toMatch(/--portal <url> is required \(or set LCHOST_PORTAL_URL\)/);
    const noToken = await runLchost("sla", "report", "--month", "2026-02", ...prom, "--publish", "--portal", "http://127.0.0.1:9");
    expect(noToken).toMatchObject({ code: EXIT.usage, out: "" });
    expect(noToken.err).toMatch(/--token-file <path> is required/);
  } finally {
    if (saved.url !== undefined) process.env.LCHOST_PORTAL_URL = saved.url;
    if (saved.token !== undefined) process.env.LCHOST_PORTAL_TOKEN_FILE = saved.token;
  }
});

test("without --prometheus or LCHOST_PROMETHEUS_URL the command says where to give it", async () => {
  const saved = process.env.LCHOST_PROMETHEUS_URL;
  delete process.env.LCHOST_PROMETHEUS_URL;
  try {
    const r = await runLchost("sla", "report", "--month", "2026-02");
    expect(r).toMatchObject({ code: EXIT.usage });
    expect(r.err).toMatch(/--prometheus <url> is required \(or set LCHOST_PROMETHEUS_URL\)/);
  } finally {
    if (saved !== undefined) process.env.LCHOST_PROMETHEUS_URL = saved;
  }
});

describe("a server that is not Prometheus", () => {
  let server: http.Server;
  let url: string;
  const answers: Array<{ status: number; body: string }> = [];
  beforeAll(async () => {
    server = http.createServer((req, res) => {
      req.resume();
      const a = answers.shift() ?? { status: 200, body: "<html>hello</html>" };
      res.writeHead(a.status, { "content-type": "application/json" }).end(a.body);
    });
    server.requestTimeout = 5000;
    server.headersTimeout = 5000;
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  it.each([
    [{ status: 200, body: "<html>hello</html>" }, /the answer is not JSON \(is this Prometheus\?\)/],
    [{ status: 200, body: `{"status":"success","data":{"resultType":"vector","result":[]}}` }, /expected a matrix result, got "vector"/],
    [
      { status: 200, body: `{"status":"success","data":{"resultType":"matrix","result":[{"metric":{"customer":"acme"},"values":[[1,2]]}]}}` },
      /a sample is not \[<unix time>, "<value>"\]/,
    ],
    [{ status: 400, body: `{"status":"error","errorType":"bad_data","error":"parse error"}` }, /bad_data: parse error/],
  ])("is a runtime failure (exit 3) saying what was wrong: %j", async (answer, message) => {
    answers.push(answer, answer);
    const r = await runLchost("sla", "report", "--month", "2026-02", "--stack", "wayne", "--prometheus", url);
    answers.length = 0;
    expect(r.err).toMatch(message);
    expect(r.code).toBe(EXIT.failure);
  });
});
