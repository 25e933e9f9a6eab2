/**
 * lchost heal serve: help, bad flags and bad configuration files exit 2 naming the flag or the field; nothing
 * listens then. Pulumi is replaced by a module that fails when loaded: the service must not need it.
 */
jest.mock("@pulumi/pulumi", () => {
  throw new Error("@pulumi/pulumi was loaded");
});

import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { runLchost } from "../../support/cliRun";
import { EXIT } from "../../../cli/exitCodes";
import { parseHealConfig } from "../../../heal/service/config";

jest.setTimeout(60_000);

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "lchost-heal-cli-"));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const good = () => ({
  listen: { host: "127.0.0.1", port: 41999 },
  tls: { certFile: path.join(dir, "server.crt"), keyFile: path.join(dir, "server.key"), clientCaFile: path.join(dir, "ca.crt") },
  tokenFile: path.join(dir, "token"),
  database: { host: "127.0.0.1", user: "heal", passwordFile: path.join(dir, "db-password"), database: "heal" },
  alertmanagerUrl: "http://127.0.0.1:9093",
  runtime: { kind: "docker" },
});

function configFile(name: string, content: unknown): string {
  const f = path.join(dir, name);
  fs.writeFileSync(f, typeof content === "string" ? content : JSON.stringify(content));
  return f;
}

test("lchost heal --help and heal serve --help: usage on stdout, exit 0, no Pulumi", async () => {
  for (const argv of [
    ["heal", "--help"],
    ["heal", "serve", "--help"],
  ]) {
    const r = await runLchost(...argv);
    expect([r.code, r.err]).toEqual([EXIT.ok, ""]);
    expect(r.out).toMatch(/^Usage: lchost heal /m);
  }
  expect((await runLchost("heal", "serve", "--help")).out).toContain("--dry-run");
});

test("bad flags and missing subcommands exit 2", async () => {
  expect((await runLchost("heal")).code).toBe(EXIT.usage);
  expect((await runLchost("heal", "cure")).code).toBe(EXIT.usage);
  const noConfig = await runLchost("heal", "serve");
  expect(noConfig.code).toBe(EXIT.usage);
  expect(noConfig.err).toContain("--config");
  const bogus = await runLchost("heal", "serve", "--config", "x.json", "--bogus");
  expect(bogus.code).toBe(EXIT.usage);
  expect(bogus.err).toContain("--bogus");
});

test.each([
  ["a missing file", null, "--config"],
  ["malformed JSON", "{", "--config"],
  ["a port out of range", { ...good(), listen: { host: "127.0.0.1", port: 0 } }, "listen.port"],
  ["an unknown field", { ...good(), dryrun: true }, "dryrun: unknown field"],
  ["the sandbox runtime (in-process only)", { ...good(), runtime: { kind: "sandbox" } }, "runtime.kind"],
  ["no Alertmanager URL", { ...good(), alertmanagerUrl: "am:9093" }, "alertmanagerUrl"],
  ["a budget of 0 attempts", { ...good(), budget: { maxAttempts: 0 } }, "budget.maxAttempts"],
  ["a token file that cannot be read", good(), "tokenFile"],
])("a configuration with %s exits 2 naming the field", async (_what, content, field) => {
  const file = content === null ? path.join(dir, "missing.json") : configFile(`c-${field.replace(/\W/g, "")}.json`, content);
  const r = await runLchost("heal", "serve", "--config", file);
  expect(r.code).toBe(EXIT.usage);
  expect(r.err).toContain(field);
});

test("the token never appears in an error about its file", async () => {
  fs.writeFileSync(path.join(dir, "token"), "short");
  const r = await runLchost("heal", "serve", "--config", configFile("short-token.json", good()));
  expect(r.code).toBe(EXIT.usage);
  expect(r.err).toContain("tokenFile");
  expect(r.err).not.toContain("short\n");
});

test("defaults and --dry-run", () => {
  const c = parseHealConfig(good(), { dryRun: true });
  expect(c.dryRun).toBe(true);
  expect(c.budget).toEqual({ maxAttempts: 3, windowMs: 3600_000, minIntervalMs: 300_000 });
  expect(c.database.port).toBe(3306);
  expect(parseHealConfig({ ...good(), dryRun: true }).dryRun).toBe(true);
  expect(parseHealConfig(good()).dryRun).toBe(false);
});

test("the configuration example in docs/self-healing.md is valid", () => {
  const doc = fs.readFileSync(path.join(__dirname, "../../../docs/self-healing.md"), "utf8");
  const example = /```json\n([\s\S]*?)```/.exec(doc)![1];
  const c = parseHealConfig(JSON.parse(example));
  expect(c.budget.maxAttempts).toBe(3);
  expect(c.tls.clientCaFile).toBe("/etc/lchost/heal/ca.crt");
});
