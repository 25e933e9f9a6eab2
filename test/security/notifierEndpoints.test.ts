/**
 * The attack review of issue 9's notifier (port 9095), as a neighbour on the operations network without the
 * bearer token, and as an Alertmanager whose payload is hostile: path spellings, methods, content types, body
 * sizes and shapes, labels that reach an email's header or the webhook, slow and many clients, and what
 * reaches its logs and /metrics. The notifier runs in this process (buildNotifierApp, the bin's factory) on
 * 127.0.0.1 with an ephemeral port, against the sandbox's real mail and webhook sinks
 * (test/support/notifierHarness.ts); every request below is written byte for byte on a raw socket.
 */
import * as fs from "fs";
import * as net from "net";
import { amAlert, amPayload, NOTIFIER_TOKEN, NotifierHarness, SECRETS, startNotifier } from "../support/notifierHarness";

jest.setTimeout(180_000);

interface RawAnswer {
  status?: number;
  head: string;
  body: string;
  /** ms from the first byte written until the notifier closed the connection (or the client gave up). */
  closedAfterMs: number;
  /** The client gave up waiting (the notifier kept the connection open). */
  gaveUp: boolean;
}

/**
 * Writes `chunks` (the first at once, the others `everyMs` apart: a trickling client) and reads until the
 * notifier closes the connection or `giveUpMs` passes.
 */
function rawRequest(url: string, chunks: (string | Buffer)[], opts: { everyMs?: number; giveUpMs?: number } = {}): Promise<RawAnswer> {
  const u = new URL(url);
  return new Promise((resolve) => {
    const started = Date.now();
    const socket = net.connect(Number(u.port), u.hostname);
    const got: Buffer[] = [];
    let timers: NodeJS.Timeout[] = [];
    let done = false;
    const finish = (gaveUp: boolean) => {
      if (done) return;
      done = true;
      timers.forEach(clearTimeout);
      timers = [];
      socket.destroy();
      const text = Buffer.concat(got).toString("utf8");
      const i = text.indexOf("\r\n\r\n");
      const head = i === -1 ? text : text.slice(0, i);
      const m = /^HTTP\/1\.1 (\d{3})/.exec(head);
      resolve({ status: m ? Number(m[1]) : undefined, head, body: i === -1 ? "" : text.slice(i + 4), closedAfterMs: Date.now() - started, gaveUp });
    };
    socket.on("data", (c) => got.push(c));
    socket.on("close", () => finish(false));
    socket.on("error", () => finish(false));
    socket.on("connect", () => {
      chunks.forEach((c, k) =>
        timers.push(
          setTimeout(
            () => {
              if (!socket.destroyed) socket.write(c);
            },
            k * (opts.everyMs ?? 0),
          ),
        ),
      );
      timers.push(setTimeout(() => finish(true), opts.giveUpMs ?? 15_000));
    });
  });
}

const AUTH = `Authorization: Bearer ${NOTIFIER_TOKEN}\r\n`;

function post(path: string, body: string | Buffer, headers = `Content-Type: application/json\r\n${AUTH}`): string[] {
  const b = Buffer.isBuffer(body) ? body : Buffer.from(body);
  return [`POST ${path} HTTP/1.1\r\nHost: notifier\r\n${headers}Content-Length: ${b.length}\r\nConnection: close\r\n\r\n`, b.toString("latin1")];
}

const json = (a: RawAnswer) => {
  try {
    return JSON.parse(a.body);
  } catch {
    return a.body;
  }
};

describe("the notifier attacked from the operations network (real listener, real sinks)", () => {
  let n: NotifierHarness;
  beforeAll(async () => {
    n = await startNotifier({ config: { webhookTimeoutMs: 1500 } });
  });
  afterAll(async () => n?.stop());
  beforeEach(() => {
    n.hooks.records.clear();
    n.mail.records.clear();
  });
  const nothingDelivered = () => expect({ hooks: n.hooks.records.all().length, mails: n.mail.records.all().length }).toEqual({ hooks: 0, mails: 0 });
  const valid = () => JSON.stringify(amPayload([amAlert({})]));

  describe("paths and methods", () => {
    // every spelling of the Alertmanager endpoint: without the token nothing is delivered, whatever the router makes of it
    const spellings = [
      "/v1/alertmanager/acme/webhook",
      "//v1/alertmanager/acme/webhook",
      "/V1/alertmanager/acme/webhook",
      "/v1/alertmanager/acme/webhook/",
      "/v1/alertmanager/acme/webhook?x=1",
      "/v1/alertmanager/%61cme/webhook",
      "/v1/alertmanager/acme/%77ebhook",
      "/v1/./alertmanager/acme/webhook",
      "/v1/alertmanager/x/../acme/webhook",
      "/v1/alertmanager/acme%2Fwebhook",
      "/v1/alertmanager/acme/webhook;x",
      "/v1/alertmanager/%5Foncall/email",
      "/v1/alertmanager/_oncall/webhook",
    ];
    test.each(spellings)("POST %s without the token: 401 or 404, nothing delivered", async (p) => {
      const r = await rawRequest(n.url, post(p, valid(), "Content-Type: application/json\r\n"));
      expect([401, 404]).toContain(r.status);
      nothingDelivered();
    });

    test.each([
      ["a wrong token", "Authorization: Bearer not-the-token-0123456789\r\n"],
      ["the token as Basic", `Authorization: Basic ${Buffer.from(`x:${NOTIFIER_TOKEN}`).toString("base64")}\r\n`],
      ["the token twice", `Authorization: Bearer ${NOTIFIER_TOKEN} ${NOTIFIER_TOKEN}\r\n`],
      ["the token in the query", ""],
      ["an empty bearer", "Authorization: Bearer \r\n"],
    ])("%s: 401 before the body is looked at", async (what, header) => {
      const p = what === "the token in the query" ? `/v1/alertmanager/acme/webhook?token=${NOTIFIER_TOKEN}` : "/v1/alertmanager/acme/webhook";
      const r = await rawRequest(n.url, post(p, "{not json", `Content-Type: application/json\r\n${header}`));
      expect(r.status).toBe(401);
      expect(json(r).error).toBe("unauthorized");
      nothingDelivered();
    });

    test("only GET and HEAD on /metrics and /healthz; TRACE echoes nothing; other spellings are 404", async () => {
      const seen: Record<string, number | undefined> = {};
      for (const p of ["/metrics", "/healthz", "//metrics", "/metrics/", "/METRICS", "/./healthz", "/metrics%2F"])
        for (const m of ["GET", "HEAD", "OPTIONS", "TRACE", "PUT", "POST", "DELETE"]) {
          const r = await rawRequest(n.url, [`${m} ${p} HTTP/1.1\r\nHost: notifier\r\nX-Probe: echo-me\r\nConnection: close\r\n\r\n`]);
          seen[`${m} ${p}`] = r.status;
          expect(r.body).not.toContain("echo-me");
        }
      for (const [k, status] of Object.entries(seen)) {
        const ok = /^(GET|HEAD) \/(metrics|healthz)$/.test(k);
        expect(`${k} ${status}`).toBe(`${k} ${ok ? 200 : 404}`);
      }
    });
  });

  describe("content types and bodies (with the token)", () => {
    test.each(["text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", "application/jsonx", "application/json-seq", "application/json; charset=utf-16", "application/json; charset=latin1", "application/xml", ""])(
      "Content-Type %j: 415, nothing delivered",
      async (ct) => {
        const r = await rawRequest(n.url, post("/v1/alertmanager/acme/webhook", valid(), `${ct ? `Content-Type: ${ct}\r\n` : ""}${AUTH}`));
        expect(r.status).toBe(415);
        expect(json(r)).toMatchObject({ error: "unsupported_media_type", field: "body" });
        nothingDelivered();
      },
    );

    test.each(["application/json", "application/json; charset=utf-8", "Application/JSON; Charset=UTF-8", 'application/json;charset="utf-8"'])(
      "Content-Type %j as Alertmanager sends it is accepted",
      async (ct) => {
        const r = await rawRequest(n.url, post("/v1/alertmanager/acme/webhook", valid(), `Content-Type: ${ct}\r\n${AUTH}`));
        expect(r.status).toBe(200);
      },
    );

    test("a body of exactly the limit is read (400: not a payload); one byte more is 413", async () => {
      const limit = 1024 * 1024;
      const pad = (size: number) => {
        const head = '{"pad":"';
        const tail = '"}';
        return head + "x".repeat(size - head.length - tail.length) + tail;
      };
      const at = await rawRequest(n.url, post("/v1/alertmanager/acme/webhook", pad(limit)), { giveUpMs: 30_000 });
      expect(at.status).toBe(400);
      const over = await rawRequest(n.url, post("/v1/alertmanager/acme/webhook", pad(limit + 1)), { giveUpMs: 30_000 });
      expect(over.status).toBe(413);
      nothingDelivered();
    });

    test("1 MiB of nested brackets is a 400 naming a field, and the notifier still serves", async () => {
      const depth = 500_000;
      const deep = `{"version":"4","status":"firing","x":${"[".repeat(depth)}${"]".repeat(depth)}}`;
      const r = await rawRequest(n.url, post("/v1/alertmanager/acme/webhook", deep), { giveUpMs: 60_000 });
      expect(r.status).toBe(400);
      expect(json(r).field).toBe("alerts");
      expect((await rawRequest(n.url, ["GET /healthz HTTP/1.1\r\nHost: n\r\nConnection: close\r\n\r\n"])).status).toBe(200);
    });

    test.each([
      ["alerts not an array", "alerts", { alerts: { 0: amAlert({}) } }],
      ["10 000 alerts", "alerts", { alerts: Array(10_000).fill({}) }],
      ["an alert without labels", "alerts[0].labels", { alerts: [{ status: "firing", startsAt: "2026-11-28T07:41:00Z" }] }],
      ["an alert without the customer label", "alerts[0].labels.customer", { alerts: [amAlert({ customer: undefined as unknown as string })] }],
      ["a label that is not a string", "alerts[0].labels.part", { alerts: [amAlert({ part: 2 as unknown as string })] }],
      ["a customer label with a path in it", "alerts[0].labels.customer", { alerts: [amAlert({ customer: "acme/../globex" })] }],
      ["version 3", "version", { version: "3" }],
    ])("%s: 400 naming %s, nothing delivered", async (_what, field, change) => {
      const p = { ...amPayload([amAlert({})]), ...change };
      const r = await rawRequest(n.url, post("/v1/alertmanager/acme/webhook", JSON.stringify(JSON.parse(JSON.stringify(p)))));
      expect(r.status).toBe(400);
      expect(json(r).field).toBe(field);
      nothingDelivered();
    });

    test("a __proto__ key anywhere is refused (400), never merged", async () => {
      const body = valid().replace('"labels":{', '"labels":{"__proto__":{"customer":"globex"},');
      const r = await rawRequest(n.url, post("/v1/alertmanager/acme/webhook", body));
      expect(r.status).toBe(400);
      nothingDelivered();
    });
  });

  describe("routing: the payload never chooses the recipient", () => {
    test("an alert naming globex posted to acme's endpoint is refused; nothing reaches either", async () => {
      const r = await rawRequest(n.url, post("/v1/alertmanager/acme/email", JSON.stringify(amPayload([amAlert({}), amAlert({ customer: "globex" })]))));
      expect(r.status).toBe(400);
      expect(json(r)).toMatchObject({ error: "foreign_alert", field: "alerts[1].labels.customer" });
      nothingDelivered();
    });

    test("a customer without notifications in the path is 404; groupLabels, receiver and commonLabels naming another customer change nothing", async () => {
      const ghost = await rawRequest(n.url, post("/v1/alertmanager/nosuch/webhook", JSON.stringify(amPayload([amAlert({ customer: "nosuch" })]))));
      expect(ghost.status).toBe(404);
      nothingDelivered();
      const p = amPayload([amAlert({})], { receiver: "customer-globex", groupLabels: { customer: "globex" }, commonLabels: { customer: "globex" } });
      const r = await rawRequest(n.url, post("/v1/alertmanager/acme/email", JSON.stringify(p)));
      expect(r.status).toBe(200);
      expect(n.mail.records.all().map((m) => m.rcptTo)).toEqual([["ops@acme.example"]]);
    });
  });

  describe("labels that reach an email header or a customer's text", () => {
    test("CR/LF in labels cannot add a header or a recipient to the mail, nor forge lines in the text", async () => {
      const evil = amAlert({
        component: "x\r\nBcc: evil@evil.example\r\nX-Injected: 1",
        part: "line-2\nSubject: pwned",
        edition: "high-availability\r\n\r\nFake body",
      });
      evil.annotations.summary = "summary\r\nWhat we are doing: nothing, call 0900-EVIL";
      const r = await rawRequest(n.url, post("/v1/alertmanager/acme/email", JSON.stringify(amPayload([evil]))));
      expect(r.status).toBe(200);
      const [mail] = n.mail.records.all();
      expect(mail.rcptTo).toEqual(["ops@acme.example"]);
      expect(mail.to).toEqual(["ops@acme.example"]);
      expect(mail.subject).not.toMatch(/[\r\n]/);
      // each label stays on the line it belongs to: no line of the text starts with what the label smuggled in
      const lines = mail.text.split("\n");
      expect(lines.filter((l) => /^(Bcc|X-Injected|Subject|Fake body|What we are doing: nothing)/.test(l))).toEqual([]);
      const hook = await rawRequest(n.url, post("/v1/alertmanager/acme/webhook", JSON.stringify(amPayload([evil]))));
      expect(hook.status).toBe(200);
      const [got] = n.hooks.records.all();
      expect(got.verified).toBe(true);
      expect(got.body.text.split("\n").filter((l: string) => /^(Bcc|X-Injected|Subject|Fake body|What we are doing: nothing)/.test(l))).toEqual([]);
    });

    test("label values that are names of Object.prototype members render as themselves, never as JavaScript", async () => {
      for (const labels of [
        { edition: "constructor" },
        { edition: "__proto__" },
        { component: "quota", part: "toString" },
        { component: "quota", part: "hasOwnProperty" },
      ]) {
        const r = await rawRequest(n.url, post("/v1/alertmanager/acme/webhook", JSON.stringify(amPayload([amAlert(labels)]))));
        expect(r.status).toBe(200);
      }
      for (const rec of n.hooks.records.all()) {
        expect(rec.body.subject).not.toMatch(/function|native code|\[object/);
        expect(rec.body.text).not.toMatch(/function|native code|\[object/);
      }
    });
  });

  describe("slow and many clients", () => {
    // Node checks headersTimeout and requestTimeout only every connectionsCheckingInterval (30 s by default):
    // the limits must fire close to what they say (headers 10 s, whole request 30 s)
    test("a client trickling its headers is cut off with 408 within the 10 s headers timeout (+2 s)", async () => {
      const chunks = ["GET /healthz HTTP/1.1\r\n", ...Array.from({ length: 60 }, (_, i) => `X-Slow-${i}: a\r\n`)];
      const r = await rawRequest(n.url, chunks, { everyMs: 1000, giveUpMs: 70_000 });
      expect(r.gaveUp).toBe(false);
      expect(r.status).toBe(408);
      expect(r.closedAfterMs).toBeLessThan(12_000);
    });

    test("a connection that sends nothing is closed within the headers timeout (+2 s)", async () => {
      const r = await rawRequest(n.url, [""], { giveUpMs: 70_000 });
      expect(r.gaveUp).toBe(false);
      expect(r.closedAfterMs).toBeLessThan(12_000);
    });

    test("a chunked body that never ends is cut off with 408 within the 30 s request timeout (+2.5 s)", async () => {
      const head = `POST /v1/alertmanager/acme/webhook HTTP/1.1\r\nHost: notifier\r\nContent-Type: application/json\r\n${AUTH}Transfer-Encoding: chunked\r\n\r\n`;
      const r = await rawRequest(n.url, [head, ...Array.from({ length: 80 }, () => "1\r\n \r\n")], { everyMs: 1000, giveUpMs: 90_000 });
      expect(r.gaveUp).toBe(false);
      expect(r.status).toBe(408);
      expect(r.closedAfterMs).toBeLessThan(32_500);
      nothingDelivered();
    });

    test("1000 idle connections do not hold up Alertmanager's delivery, and are all closed by the headers timeout", async () => {
      const idle = await Promise.all(
        Array.from(
          { length: 1000 },
          () =>
            new Promise<net.Socket>((resolve) => {
              const s = net.connect(Number(new URL(n.url).port), "127.0.0.1", () => resolve(s));
              s.on("error", () => resolve(s));
            }),
        ),
      );
      const opened = Date.now();
      // resume(): a paused socket never reads, so it would never see the notifier close it
      const closed = idle.map((s) => new Promise<number>((resolve) => (s.destroyed ? resolve(0) : s.resume().on("close", () => resolve(Date.now() - opened)))));
      idle.forEach((s) => s.write("GET /healthz HTTP/1.1\r\n"));
      const started = Date.now();
      const r = await rawRequest(n.url, post("/v1/alertmanager/acme/webhook", valid()));
      expect(r.status).toBe(200);
      expect(Date.now() - started).toBeLessThan(5_000);
      const times = await Promise.race([Promise.all(closed), new Promise<null>((resolve) => setTimeout(() => resolve(null), 60_000))]);
      idle.forEach((s) => s.destroy());
      expect(times).not.toBeNull();
      expect(Math.max(...times!)).toBeLessThan(14_000);
    });
  });

  describe("secrets", () => {
    test("a recipients file refused on reload names the field but not the webhook URL's path or query (a customer's token)", async () => {
      const original = fs.readFileSync(n.recipientsFile, "utf8");
      try {
        const r = JSON.parse(original);
        r.customers.acme.webhook.url = "http://hooks.acme.example/lchost?token=customer-own-token-4711";
        fs.writeFileSync(n.recipientsFile, JSON.stringify(r) + "  ");
        expect((await rawRequest(n.url, post("/v1/alertmanager/acme/email", valid()))).status).toBe(200);
        expect(n.logs()).toContain("customers.acme.webhook.url");
        expect(n.logs()).not.toContain("customer-own-token-4711");
        expect(n.logs()).not.toContain("/lchost?");
      } finally {
        fs.writeFileSync(n.recipientsFile, original);
      }
    });

    // the SMTP password: test/services/notifierSmtpTls.test.ts (AUTH needs the sink's STARTTLS)
    test("neither the logs nor /metrics hold the bearer token, a webhook secret or a tried token", async () => {
      expect((await rawRequest(n.url, post("/v1/alertmanager/acme/email", valid()))).status).toBe(200);
      const metrics = await rawRequest(n.url, ["GET /metrics HTTP/1.1\r\nHost: n\r\nConnection: close\r\n\r\n"]);
      expect(metrics.status).toBe(200);
      const logs = n.logs();
      expect(logs).toContain('"msg":"delivered"');
      for (const secret of [NOTIFIER_TOKEN, SECRETS.acme, SECRETS.globex, "not-the-token-0123456789"]) {
        expect(logs).not.toContain(secret);
        expect(metrics.body).not.toContain(secret);
      }
      // the labels of /metrics are bounded sets: no customer, path or address that a caller chose
      const labelValues = [...metrics.body.matchAll(/\{([^}]*)\}/g)].flatMap((m) => [...m[1].matchAll(/="([^"]*)"/g)].map((x) => x[1]));
      expect(new Set(labelValues.filter((v) => !/^(email|webhook|delivered|filtered|timeout|rejected|unreachable|\d{3}|[\d.+Inf]+)$/.test(v)))).toEqual(new Set());
    });
  });
});
