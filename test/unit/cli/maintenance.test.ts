/** lchost maintenance: what it refuses before it talks to Alertmanager (the real exchange: test/checks/alertmanagerApi.test.ts). */
import { runLchost } from "../../support/cliRun";
import { EXIT } from "../../../cli/exitCodes";

const window = ["--from", "2099-01-01T22:00:00Z", "--to", "2099-01-01T23:00:00Z"];
const am = ["--alertmanager", "http://127.0.0.1:9"];

test.each([
  [
    ["silence", "wayne", "--from", "tonight", "--to", "2099-01-01T23:00:00Z", "--reason", "x", ...am],
    /^lchost maintenance: --from: 'tonight' is not an ISO 8601 time/,
  ],
  [
    ["silence", "wayne", "--from", "2099-01-01T22:00:00Z", "--to", "2099-01-01", "--reason", "x", ...am],
    /^lchost maintenance: --to: '2099-01-01' is not an ISO 8601 time/,
  ],
  [
    ["silence", "wayne", "--from", "2099-01-01T22:00:00Z", "--to", "2099-01-01T21:00:00Z", "--reason", "x", ...am],
    /^lchost maintenance: --to: .* must be after --from/,
  ],
  [["silence", "wayne", ...window, "--reason", " ", ...am], /^lchost maintenance: --reason: must say why/],
  [["silence", "nosuchstack", ...window, "--reason", "x", ...am], /^lchost maintenance: <stack>: unknown stack 'nosuchstack' .*known: .*wayne/],
  [
    ["silence", "wayne", ...window, "--reason", "x", "--alertmanager", "ftp://x"],
    /^lchost maintenance: --alertmanager: 'ftp:\/\/x' must be an http:\/\/ or https:\/\/ URL/,
  ],
  [["silence", "wayne", ...window], /required option '--reason <text>' not specified/],
  [["unsilence", "../x", ...am], /^lchost maintenance: <id>: '..\/x' is not a silence id/],
  [["nonsense"], /^lchost maintenance: unknown subcommand 'nonsense' \(allowed: silence, announce, silences, unsilence\)/],
  [[], /^lchost maintenance: name a subcommand/],
])("lchost maintenance %j exits 2 naming the flag", async (argv, message) => {
  const r = await runLchost("maintenance", ...argv);
  expect(r).toMatchObject({ code: EXIT.usage, out: "" });
  expect(r.err).toMatch(message);
});

test("without --alertmanager or LCHOST_ALERTMANAGER_URL the command says where to give it", async () => {
  const saved = process.env.LCHOST_ALERTMANAGER_URL;
  delete process.env.LCHOST_ALERTMANAGER_URL;
  try {
    const r = await runLchost("maintenance", "silences");
    expect(r.code).toBe(EXIT.usage);
    expect(r.err).toBe("lchost maintenance: --alertmanager <url> is required (or set LCHOST_ALERTMANAGER_URL), e.g. http://127.0.0.1:9093");
  } finally {
    if (saved !== undefined) process.env.LCHOST_ALERTMANAGER_URL = saved;
  }
});

test("an Alertmanager that cannot be reached is a runtime failure (exit 3) naming the URL", async () => {
  const r = await runLchost("maintenance", "silence", "wayne", ...window, "--reason", "x", ...am);
  expect(r.code).toBe(EXIT.failure);
  expect(r.err).toMatch(/^lchost maintenance: POST http:\/\/127\.0\.0\.1:9\/api\/v2\/silences: Alertmanager not reachable/);
});
