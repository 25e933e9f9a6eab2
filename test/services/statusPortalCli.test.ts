import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { EXIT } from "../../cli/exitCodes";
import { runLchost } from "../support/cliRun";
import { ADMIN_TOKEN, PortalHarness, startPortal } from "../support/portalHarness";

jest.setTimeout(120_000);

describe("lchost incident post|update|resolve|list against a real portal", () => {
  let p: PortalHarness;
  let tokenFile: string;
  let conn: string[];
  beforeAll(async () => {
    p = await startPortal();
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "portal-cli-"));
    tokenFile = path.join(dir, "admin-token");
    fs.writeFileSync(tokenFile, `${ADMIN_TOKEN}\n`, { mode: 0o600 });
    conn = ["--portal", p.url, "--token-file", tokenFile];
  });
  afterAll(async () => {
    await p?.stop();
  });

  test("post prints the new incident's id; update and resolve add to its timeline; list shows open ones only", async () => {
    const posted = await runLchost(
      "incident",
      "post",
      "--customer",
      "globex",
      "--title",
      "Slow activations",
      "--message",
      "We are on it.",
      "--severity",
      "warning",
      "--part",
      "line-1",
      ...conn,
    );
    expect(posted).toMatchObject({ code: EXIT.ok, err: "" });
    const id = posted.out.trim();
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    expect((await runLchost("incident", "list", "--customer", "globex", ...conn)).out).toContain(`${id}  open     warning  globex`);
    expect(await runLchost("incident", "update", id, "--message", "Wir haben die Ursache gefunden.", "--language", "de", ...conn)).toMatchObject({
      code: EXIT.ok,
      out: `${id} open`,
    });
    expect(await runLchost("incident", "resolve", id, ...conn)).toMatchObject({ code: EXIT.ok, out: `${id} resolved` });
    const rows = await p.db.query("SELECT kind, author, message, language FROM portal_incident_updates WHERE incident_id = ? ORDER BY at, kind = 'resolved'", [
      id,
    ]);
    expect(rows.map((r) => [r.kind, r.author, r.message, r.language])).toEqual([
      ["detected", "team", "We are on it.", "en"],
      ["update", "team", "Wir haben die Ursache gefunden.", "de"],
      ["resolved", "team", "Resolved.", "en"],
    ]);
    expect((await runLchost("incident", "list", "--customer", "globex", ...conn)).out).toBe("no incidents");
  });

  test("a fleet incident goes to the public page", async () => {
    const r = await runLchost("incident", "post", "--fleet", "--title", "Upstream network", "--message", "Our provider reports packet loss.", ...conn);
    expect(r.code).toBe(EXIT.ok);
    expect(await (await fetch(`${p.url}/?lang=en`)).text()).toContain("Upstream network");
  });

  test.each([
    [
      ["incident", "post", "--customer", "umbrella", "--title", "t", "--message", "m"],
      'lchost incident: --customer: the portal refused it: customer: unknown customer "umbrella"',
    ],
    [["incident", "post", "--title", "t", "--message", "m"], "lchost incident: --customer <name> or --fleet is required"],
    [["incident", "post", "--customer", "globex", "--fleet", "--title", "t", "--message", "m"], "lchost incident: --customer and --fleet exclude each other"],
    [
      ["incident", "post", "--customer", "globex", "--title", "t", "--message", "m", "--severity", "minor"],
      "lchost incident: --severity: 'minor' is not one of warning, critical",
    ],
    [
      ["incident", "post", "--customer", "globex", "--title", "t", "--message", "m", "--part", "line"],
      "lchost incident: --part: the portal refused it: parts[0]: must be a part",
    ],
    [["incident", "update", "not-an-id", "--message", "m"], "lchost incident: <id>: 'not-an-id' is not an incident id"],
    [["incident", "resolve", "11111111-1111-1111-1111-111111111111"], "lchost incident: <id>: the portal refused it: id: no incident"],
  ])("bad input %j exits 2 naming the flag", async (argv, message) => {
    const before = await p.count("portal_incidents");
    const r = await runLchost(...argv, ...conn);
    expect(r.code).toBe(EXIT.usage);
    expect(r.err).toContain(message);
    expect(await p.count("portal_incidents")).toBe(before);
  });

  test("without --portal or a token file: exit 2 naming what is missing", async () => {
    const r = await runLchost("incident", "list", "--token-file", tokenFile);
    expect(r).toMatchObject({ code: EXIT.usage, err: expect.stringContaining("--portal <url> is required") });
    const t = await runLchost("incident", "list", "--portal", p.url, "--token-file", "/nonexistent/token");
    expect(t).toMatchObject({ code: EXIT.usage, err: expect.stringContaining("--token-file: /nonexistent/token cannot be read (ENOENT)") });
  });

  test("a wrong token or an unreachable portal is a runtime failure (exit 3), the token never printed", async () => {
    const wrong = path.join(path.dirname(tokenFile), "wrong-token");
    fs.writeFileSync(wrong, "wrong-token-0123456789abcdef");
    const r = await runLchost("incident", "list", "--portal", p.url, "--token-file", wrong);
    expect(r).toMatchObject({ code: EXIT.failure, err: expect.stringContaining("the portal refused the admin token") });
    expect(r.err).not.toContain("wrong-token-0123456789abcdef");
    const down = await runLchost("incident", "list", "--portal", "http://127.0.0.1:9", "--token-file", tokenFile);
    expect(down).toMatchObject({ code: EXIT.failure, err: expect.stringContaining("the status portal is not reachable") });
  });
});
