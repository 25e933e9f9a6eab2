import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as YAML from "yaml";
import { editionCatalog } from "../../../model/catalog";
import { StackConfigError } from "../../../model/stackConfig";
import { runLchost } from "../../support/cliRun";
import { datacenterValues, haValues, parse, sharedValues } from "../stackFixtures";

function problemsOf(values: Record<string, unknown>): string {
  try {
    parse(values);
  } catch (e) {
    if (e instanceof StackConfigError) return e.problems.join("\n");
    throw e;
  }
  throw new Error("expected the configuration to be rejected");
}

/** A compliant operations stack (keys without namespace); tests change one thing. */
export function operationsValues(): Record<string, unknown> {
  return {
    role: "operations",
    domain: "dc1.lchost.local",
    fleet: { stacksDir: "stacks/" },
    operations: {
      onCall: { email: ["oncall@lchost.example"], webhook: { url: "https://oncall.lchost.example/hook", secretKey: "onCallWebhookSecret" } },
      smtp: { smarthost: "smtp.lchost.example:587", from: "alerts@lchost.example", passwordKey: "smtpPassword" },
    },
    onCallWebhookSecret: { secure: "v1:a" },
    smtpPassword: { secure: "v1:b" },
  };
}

const withNotifications = (n: Record<string, unknown>, extra: Record<string, unknown> = { notifyWebhookSecret: { secure: "v1:n" } }) => ({
  ...haValues(),
  notifications: n,
  ...extra,
});
const goodNotifications = () => ({
  email: ["ops@customer.example"],
  webhook: { url: "https://hooks.customer.example/lchost", secretKey: "notifyWebhookSecret" },
});

describe("lchost:notifications", () => {
  it("accepts email and a webhook and fills language de and severity warning", () => {
    const cfg = parse(withNotifications(goodNotifications()));
    expect(cfg).toMatchObject({
      notifications: {
        email: ["ops@customer.example"],
        webhook: { url: "https://hooks.customer.example/lchost", secretKey: "notifyWebhookSecret" },
        language: "de",
        severity: "warning",
      },
    });
  });

  it("is absent when the stack has no lchost:notifications", () => {
    expect(parse(haValues())).toMatchObject({ role: "customer" });
    expect((parse(haValues()) as any).notifications).toBeUndefined();
  });

  it("is allowed on a Datacenter tenant", () => {
    expect(parse({ ...datacenterValues(), notifications: { email: ["it@acme.example"], language: "en" } })).toMatchObject({
      notifications: { email: ["it@acme.example"], language: "en", severity: "warning" },
    });
  });

  const refusals: Array<[string, Record<string, unknown>, RegExp]> = [
    ["a bad address", withNotifications({ email: ["ops at customer"] }, {}), /^lchost:notifications.email\[0\]: 'ops at customer' is not an email address/m],
    [
      "a webhook over plain HTTP",
      withNotifications({ webhook: { url: "http://hooks.customer.example/lchost", secretKey: "notifyWebhookSecret" } }),
      /^lchost:notifications.webhook.url: 'http:\/\/hooks.customer.example\/lchost' is not an https:\/\/ URL/m,
    ],
    [
      "an unknown language",
      withNotifications({ email: ["a@b.example"], language: "fr" }, {}),
      /^lchost:notifications.language: 'fr' is not allowed; allowed: de, en$/m,
    ],
    [
      "an unknown severity",
      withNotifications({ email: ["a@b.example"], severity: "page" }, {}),
      /^lchost:notifications.severity: 'page' is not allowed; allowed: info, warning, critical$/m,
    ],
    [
      "a webhook secret key that names nothing",
      withNotifications(goodNotifications(), {}),
      /^lchost:notifications.webhook.secretKey: 'notifyWebhookSecret' names no secret key; set it with 'pulumi config set --secret notifyWebhookSecret'$/m,
    ],
    [
      "a webhook secret in plain text",
      withNotifications(goodNotifications(), { notifyWebhookSecret: "hunter2" }),
      /^lchost:notifyWebhookSecret: named by lchost:notifications.webhook.secretKey, so it must be a secret/m,
    ],
    [
      "a webhook without its secret key",
      withNotifications({ webhook: { url: "https://h.example/x" } }, {}),
      /^lchost:notifications.webhook.secretKey: required but missing$/m,
    ],
    ["no channel at all", withNotifications({ language: "en" }, {}), /^lchost:notifications: configure at least one of email, webhook/m],
    ["an empty address list", withNotifications({ email: [] }, {}), /^lchost:notifications.email: must list at least 1 item/m],
    [
      "an unknown key",
      withNotifications({ email: ["a@b.example"], sms: ["+49"] }, {}),
      /^lchost:notifications.sms: unknown key; allowed here: email, webhook, language, severity$/m,
    ],
  ];
  it.each(refusals)("refuses %s, naming the key", (_what, values, message) => {
    expect(problemsOf(values)).toMatch(message);
  });

  it("is refused on a shared-server stack (its tenants are the customers)", () => {
    expect(problemsOf({ ...sharedValues(), notifications: { email: ["a@b.example"] } })).toMatch(
      /^lchost:notifications: .* is not allowed on a shared-server stack/m,
    );
  });

  it("lchost plan refuses a stack file with a non-HTTPS webhook, exit 2, naming the key", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "lchost-notify-"));
    try {
      const config = Object.fromEntries(
        Object.entries(withNotifications({ webhook: { url: "http://hooks.customer.example/lchost", secretKey: "notifyWebhookSecret" } })).map(([k, v]) => [
          `lchost:${k}`,
          v,
        ]),
      );
      const file = path.join(dir, "Pulumi.wayne.yaml");
      fs.writeFileSync(file, YAML.stringify({ config }));
      const r = await runLchost("plan", "--stack-file", file);
      expect(r.code).toBe(2);
      expect(r.err).toContain(`invalid stack configuration ${file}`);
      expect(r.err).toMatch(/lchost:notifications.webhook.url: 'http:\/\/hooks.customer.example\/lchost' is not an https:\/\/ URL/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("the operations stack's keys", () => {
  it("accepts the example and fills the catalog's intervals", () => {
    expect(parse(operationsValues(), "ops-dc1")).toEqual({
      role: "operations",
      name: "ops-dc1",
      platform: "docker",
      domain: "dc1.lchost.local",
      fleet: { stacksDir: "stacks/" },
      httpsPort: 443,
      heal: { stateDir: ".docker-run", stacksDir: "stacks/", dryRun: false },
      operations: {
        onCall: { email: ["oncall@lchost.example"], webhook: { url: "https://oncall.lchost.example/hook", secretKey: "onCallWebhookSecret" } },
        smtp: { smarthost: "smtp.lchost.example:587", from: "alerts@lchost.example", passwordKey: "smtpPassword" },
        intervals: editionCatalog().monitoring.intervals,
      },
    });
  });

  it("takes lchost:httpsPort as the status portal's published port (default 443) and refuses one out of range, naming it", () => {
    expect((parse({ ...operationsValues(), httpsPort: 8443 }) as any).httpsPort).toBe(8443);
    expect(() => parse({ ...operationsValues(), httpsPort: 0 })).toThrow(/lchost:httpsPort: 0 must be >= 1/);
  });

  it("defaults the stacks directory to stacks/ and overrides single intervals", () => {
    const v = operationsValues() as any;
    delete v.fleet;
    v.operations.intervals = { scrapeSeconds: 15 };
    const cfg = parse(v) as any;
    expect(cfg.fleet).toEqual({ stacksDir: "stacks/" });
    expect(cfg.operations.intervals).toEqual({ ...editionCatalog().monitoring.intervals, scrapeSeconds: 15 });
  });

  it("takes lchost:heal's directories and dry run; its stacks directory defaults to lchost:fleet.stacksDir", () => {
    const v = { ...operationsValues(), fleet: { stacksDir: "fleet-stacks/" } };
    expect((parse(v) as any).heal).toEqual({ stateDir: ".docker-run", stacksDir: "fleet-stacks/", dryRun: false });
    expect((parse({ ...v, heal: { stateDir: "/srv/lchost/.docker-run", stacksDir: "/srv/lchost/stacks", dryRun: true } }) as any).heal).toEqual({
      stateDir: "/srv/lchost/.docker-run",
      stacksDir: "/srv/lchost/stacks",
      dryRun: true,
    });
  });

  const refusals: Array<[string, (v: any) => any, RegExp]> = [
    [
      "an unknown lchost:heal key",
      (v) => ({ ...v, heal: { stateDirectory: "x" } }),
      /^lchost:heal.stateDirectory: unknown key; allowed here: stateDir, stacksDir, dryRun$/m,
    ],
    ["a heal state directory with a space", (v) => ({ ...v, heal: { stateDir: "my dir" } }), /^lchost:heal.stateDir: 'my dir' /m],
    [
      "an operations stack without lchost:operations",
      ({ operations, onCallWebhookSecret, smtpPassword, ...rest }) => rest,
      /^lchost:operations: required on an operations stack/m,
    ],
    [
      "an on-call receiver without a channel",
      (v) => ({ ...v, onCallWebhookSecret: undefined, operations: { ...v.operations, onCall: {} } }),
      /^lchost:operations.onCall: configure at least one of email, webhook/m,
    ],
    [
      "an SMTP smarthost without a port",
      (v) => ({ ...v, operations: { ...v.operations, smtp: { ...v.operations.smtp, smarthost: "smtp.example" } } }),
      /^lchost:operations.smtp.smarthost: 'smtp.example' does not match/m,
    ],
    [
      "an SMTP password in plain text",
      (v) => ({ ...v, smtpPassword: "hunter2" }),
      /^lchost:smtpPassword: named by lchost:operations.smtp.passwordKey, so it must be a secret/m,
    ],
    [
      "an on-call webhook secret that names nothing",
      ({ onCallWebhookSecret, ...rest }) => rest,
      /^lchost:operations.onCall.webhook.secretKey: 'onCallWebhookSecret' names no secret key/m,
    ],
    [
      "a zero scrape interval",
      (v) => ({ ...v, operations: { ...v.operations, intervals: { scrapeSeconds: 0 } } }),
      /^lchost:operations.intervals.scrapeSeconds: 0 must be >= 1$/m,
    ],
    ["a customer key on it", (v) => ({ ...v, edition: "dedicated" }), /^lchost:edition: 'dedicated' is not allowed on an operations stack/m],
    ["notifications on it", (v) => ({ ...v, notifications: { email: ["a@b.example"] } }), /^lchost:notifications: .* is not allowed on an operations stack/m],
  ];
  it.each(refusals)("refuses %s, naming the key", (_what, change, message) => {
    const values = Object.fromEntries(Object.entries(change(operationsValues())).filter(([, v]) => v !== undefined));
    expect(problemsOf(values)).toMatch(message);
  });

  it("refuses operations keys on a customer stack", () => {
    expect(problemsOf({ ...haValues(), fleet: { stacksDir: "stacks/" } })).toMatch(/^lchost:fleet: .* is not allowed on a customer or shared-server stack/m);
    expect(problemsOf({ ...haValues(), heal: { dryRun: true } })).toMatch(/^lchost:heal: .* is not allowed on a customer or shared-server stack/m);
  });
});
