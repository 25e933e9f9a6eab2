import * as crypto from "crypto";
import Fastify, { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import type { Logger } from "pino";
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from "prom-client";
import { canonicalJson } from "../../service-kit/src/canonicalJson";
import { FIRM_CODE_PATTERN } from "../../service-kit/src/envVars";
import { FsbConfig } from "./config";
import { FSB_ENV, FSB_HEALTH_PATH } from "./env";
import { bad, HttpError, sendClientError, sendInternalError } from "../../service-kit/src/httpErrors";
import { IdempotencyStore } from "./idempotency";
import { KeyStore } from "./keystore";
import { createLogger } from "./logger";
import { parseExpiryDate } from "./expiryDate";
import { answerClientError, frameworkError, notFound, quoteShort, requireJsonBody } from "./requestShape";
import { QueueFullError, SerialQueue } from "./signQueue";

export interface LicenseItem {
  productCode: number;
  featureMap?: number;
  expiresAt?: string;
  quantity: number;
}

/** What the box signs (the signature covers canonicalJson(update)). */
export interface LicenseUpdate {
  version: 1;
  updateId: string;
  firmCode: string;
  keyId: string;
  requestId: string;
  container: string;
  items: LicenseItem[];
  issuedAt: string;
}

export interface SignedUpdate {
  update: LicenseUpdate;
  signature: string;
  keyId: string;
}

export interface FsbAppOptions {
  logger?: Logger;
  now?: () => Date;
  /** Register Node's default process metrics too (the bin does; tests building many apps do not). */
  defaultMetrics?: boolean;
}

const REQUEST_ID_PATTERN = /^[\x21-\x7e]{1,128}$/;
export const CONTAINER_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$/;
const UINT32_MAX = 4294967295;
const MAX_ITEMS = 100;

function isInt(v: unknown, min: number, max: number): v is number {
  return typeof v === "number" && Number.isInteger(v) && v >= min && v <= max;
}

/** Validates and normalises a signing request body; throws HttpError(400) naming the first bad field. */
export function parseSignRequest(body: unknown): { requestId: string; container: string; items: LicenseItem[] } {
  if (body === null || typeof body !== "object" || Array.isArray(body)) throw bad("body", "must be a JSON object");
  const b = body as Record<string, unknown>;
  for (const k of Object.keys(b)) {
    if (!["requestId", "container", "items"].includes(k)) throw bad(k, "unknown field");
  }
  if (typeof b.requestId !== "string") throw bad("requestId", "is required and must be a string");
  if (!REQUEST_ID_PATTERN.test(b.requestId)) throw bad("requestId", "must be 1-128 printable ASCII characters without spaces");
  if (typeof b.container !== "string") throw bad("container", "is required and must be a string");
  if (!CONTAINER_PATTERN.test(b.container)) throw bad("container", `must match ${CONTAINER_PATTERN}`);
  if (!Array.isArray(b.items)) throw bad("items", "is required and must be an array");
  if (b.items.length < 1 || b.items.length > MAX_ITEMS) throw bad("items", `must hold 1 to ${MAX_ITEMS} items`);
  const items = b.items.map((raw, i): LicenseItem => {
    const f = `items[${i}]`;
    if (raw === null || typeof raw !== "object" || Array.isArray(raw)) throw bad(f, "must be an object");
    const it = raw as Record<string, unknown>;
    for (const k of Object.keys(it)) {
      if (!["productCode", "featureMap", "expiresAt", "quantity"].includes(k)) throw bad(`${f}.${k}`, "unknown field");
    }
    if (!isInt(it.productCode, 1, UINT32_MAX)) throw bad(`${f}.productCode`, `is required and must be an integer from 1 to ${UINT32_MAX}`);
    const item: LicenseItem = { productCode: it.productCode, quantity: 1 };
    if (it.featureMap !== undefined) {
      if (!isInt(it.featureMap, 0, UINT32_MAX)) throw bad(`${f}.featureMap`, `must be an integer from 0 to ${UINT32_MAX}`);
      item.featureMap = it.featureMap;
    }
    if (it.expiresAt !== undefined) {
      if (typeof it.expiresAt !== "string") throw bad(`${f}.expiresAt`, "must be an ISO 8601 date or date-time string");
      const expiry = parseExpiryDate(it.expiresAt);
      if ("problem" in expiry) throw bad(`${f}.expiresAt`, `${expiry.problem}; got ${quoteShort(it.expiresAt)}`);
      item.expiresAt = expiry.iso;
    }
    if (it.quantity !== undefined) {
      if (!isInt(it.quantity, 1, 1_000_000)) throw bad(`${f}.quantity`, "must be an integer from 1 to 1000000");
      item.quantity = it.quantity;
    }
    return item;
  });
  return { requestId: b.requestId, container: b.container, items };
}

/** Timer precision on a VM is about 1 ms: sleep until ~2 ms before the deadline, then spin the rest (bounded by SPIN_MS). */
const SPIN_MS = 2;
async function waitUntil(deadline: number): Promise<void> {
  const coarse = Math.floor(deadline - performance.now() - SPIN_MS);
  if (coarse > 0) await new Promise((r) => setTimeout(r, coarse));
  while (performance.now() < deadline) {
    /* spin: at most about SPIN_MS */
  }
}

function sha256(s: string): Buffer {
  return crypto.createHash("sha256").update(s).digest();
}

/** Bad requests as JSON naming the field; anything else is a logged 500. */
export function sendError(reply: FastifyReply, err: any): FastifyReply {
  return sendClientError(reply, err, FSB_ENV.bodyLimitBytes) ?? sendInternalError(reply, err);
}

export interface FsbApp {
  app: FastifyInstance;
  registry: Registry;
  queue: SerialQueue;
  keys: KeyStore;
}

export function buildFsbApp(config: FsbConfig, opts: FsbAppOptions = {}): FsbApp {
  const logger = opts.logger ?? createLogger(config.logLevel);
  const now = opts.now ?? (() => new Date());
  const registry = new Registry();
  if (opts.defaultMetrics) collectDefaultMetrics({ register: registry });
  const depthGauge = new Gauge({ name: "fsb_queue_depth", help: "Signing requests waiting for the box", registers: [registry] });
  // depth / capacity is the load-peak signal: at capacity the emulator answers 503
  const capacityGauge = new Gauge({ name: "fsb_queue_capacity", help: "Signing requests that may wait before the emulator answers 503 (FSB_QUEUE_LIMIT)", registers: [registry] });
  capacityGauge.set(config.queueLimit);
  depthGauge.set(0);
  const signatures = new Counter({ name: "fsb_signatures_total", help: "License updates signed", labelNames: ["firm"], registers: [registry] });
  const rejections = new Counter({ name: "fsb_queue_rejections_total", help: "Requests refused with 503 because the queue was full", registers: [registry] });
  const replays = new Counter({ name: "fsb_idempotent_replays_total", help: "Requests answered from an idempotency record", registers: [registry] });
  const latency = new Histogram({
    name: "fsb_sign_duration_seconds",
    help: "Time from accepting a signing request to its signature (queue wait + emulated hardware + signing)",
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });

  const keys = new KeyStore(config.dataDir);
  const records = new IdempotencyStore<SignedUpdate>(config.dataDir, config.idempotencyLimit);
  const queue = new SerialQueue(config.queueLimit, config.signLatencyMs, (d) => depthGauge.set(d));
  const tokenDigests = new Map<string, Buffer>([...config.firmTokens].map(([firm, token]) => [firm, sha256(token)]));

  const app = Fastify({
    logger,
    bodyLimit: config.bodyLimitBytes,
    return503OnClosing: true,
    frameworkErrors: (err, _req, reply) => sendError(reply, frameworkError(err)),
    clientErrorHandler: answerClientError,
  }) as unknown as FastifyInstance;
  app.removeContentTypeParser("text/plain"); // JSON only: anything else is 415
  app.addHook("preParsing", async (req) => requireJsonBody(req.raw)); // before Fastify's parser, which takes application/json* too
  app.setErrorHandler((err, _req, reply) => sendError(reply, err));
  app.setNotFoundHandler((req, reply) => sendError(reply, notFound(req.method, req.url)));

  function knownFirm(firmCode: string): void {
    if (!FIRM_CODE_PATTERN.test(firmCode) || !config.firmTokens.has(firmCode)) {
      throw new HttpError(404, "unknown_firm", `firmCode: firm ${JSON.stringify(firmCode)} is not served by this box`, "firmCode");
    }
  }

  function authorize(req: FastifyRequest, firmCode: string): void {
    const header = req.headers.authorization;
    const m = typeof header === "string" ? /^Bearer\s+(\S+)\s*$/i.exec(header) : null;
    if (!m) {
      throw new HttpError(401, "unauthorized", "authorization: missing bearer token (Authorization: Bearer <token of the firm>)", "authorization", {
        "WWW-Authenticate": 'Bearer realm="fsb"',
      });
    }
    const digest = sha256(m[1]);
    let owner: string | undefined;
    for (const [firm, d] of tokenDigests) if (crypto.timingSafeEqual(d, digest)) owner = firm;
    if (owner === undefined)
      throw new HttpError(403, "forbidden", `authorization: the bearer token is not valid for firm ${JSON.stringify(firmCode)}`, "authorization");
    knownFirm(firmCode);
    if (owner !== firmCode)
      throw new HttpError(403, "forbidden", `authorization: the bearer token does not open firm ${JSON.stringify(firmCode)}`, "authorization");
  }

  app.get(FSB_HEALTH_PATH, async () => ({ status: "ok", queueDepth: queue.depth }));

  app.get("/metrics", async (_req, reply) => {
    reply.header("Content-Type", registry.contentType);
    return registry.metrics();
  });

  app.get<{ Params: { firmCode: string } }>("/v1/firms/:firmCode/public-key", async (req) => {
    knownFirm(req.params.firmCode);
    const key = keys.get(req.params.firmCode);
    return { firmCode: key.firmCode, keyId: key.keyId, algorithm: "Ed25519", publicKeyPem: key.publicKeyPem };
  });

  // The emulated box's window for a signature opens when the request arrives, or when the box finishes the
  // previous one if it was busy: the host-side handling (parsing, checks) overlaps the hardware's time, as
  // a real box's transaction time includes its own I/O. Signing and persisting happen inside the window.
  const arrivals = new WeakMap<object, number>();
  let boxFreeAt = 0;
  app.addHook("onRequest", async (req) => {
    arrivals.set(req.raw, performance.now());
  });

  app.post<{ Params: { firmCode: string } }>("/v1/firms/:firmCode/license-updates", async (req, reply) => {
    const firmCode = req.params.firmCode;
    authorize(req, firmCode);
    const body = parseSignRequest(req.body);
    const requestHash = sha256(canonicalJson({ container: body.container, items: body.items })).toString("hex");
    const replay = (): SignedUpdate | undefined => {
      const rec = records.get(firmCode, body.requestId);
      if (!rec) return undefined;
      if (rec.requestHash !== requestHash) {
        throw new HttpError(409, "idempotency_conflict", `requestId: ${JSON.stringify(body.requestId)} was already used with a different body`, "requestId");
      }
      replays.inc();
      reply.header("Idempotent-Replayed", "true");
      return rec.response;
    };
    const earlier = replay();
    if (earlier) return reply.code(201).send(earlier);
    const started = process.hrtime.bigint();
    let signed: SignedUpdate;
    try {
      signed = await queue.run(async () => {
        const again = replay(); // a concurrent request with the same requestId may have been signed meanwhile
        if (again) return again;
        // The emulated box takes signLatencyMs per signature in total: the emulator's own work (signing,
        // persisting) happens inside that window, then it waits out the rest.
        const boxStarted = Math.max(arrivals.get(req.raw) ?? performance.now(), boxFreeAt);
        const key = keys.get(firmCode);
        const update: LicenseUpdate = {
          version: 1,
          updateId: crypto.randomUUID(),
          firmCode,
          keyId: key.keyId,
          requestId: body.requestId,
          container: body.container,
          items: body.items,
          issuedAt: now().toISOString(),
        };
        const signature = crypto.sign(null, Buffer.from(canonicalJson(update)), key.privateKey).toString("base64");
        const result: SignedUpdate = { update, signature, keyId: key.keyId };
        records.put(firmCode, { requestId: body.requestId, requestHash, createdAt: update.issuedAt, response: result });
        signatures.inc({ firm: firmCode });
        boxFreeAt = boxStarted + config.signLatencyMs;
        await waitUntil(boxFreeAt);
        return result;
      });
    } catch (err) {
      if (err instanceof QueueFullError) {
        rejections.inc();
        throw new HttpError(503, "queue_full", `the signing queue is full (${config.queueLimit} waiting); retry after ${err.retryAfterSeconds} s`, undefined, {
          "Retry-After": String(err.retryAfterSeconds),
        });
      }
      throw err;
    }
    latency.observe(Number(process.hrtime.bigint() - started) / 1e9);
    // How long the box held this request, from its arrival: lets a client tell the emulator's own time
    // from the network's and its own scheduling (Server-Timing, W3C).
    const arrived = arrivals.get(req.raw);
    if (arrived !== undefined) reply.header("Server-Timing", `box;dur=${(performance.now() - arrived).toFixed(3)}`);
    return reply.code(201).send(signed);
  });

  app.addHook("onClose", async () => records.close());
  return { app, registry, queue, keys };
}
