import { execFileSync } from "child_process";
import * as crypto from "crypto";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import { deployStack } from "../program/deployStack";
import { StackFile } from "../model/stackFile";
import { findHostInventory } from "../model/hostInventoryFile";
import type { HostInventory } from "../model/hosts";
import { decodeProperties, maskSecrets, unwrapSecrets } from "./planValues";

// Internals of the SDK's mock runtime (stable in the pinned @pulumi/pulumi version).
const { MockMonitor } = require("@pulumi/pulumi/runtime/mocks");
const settings = require("@pulumi/pulumi/runtime/settings");
const config = require("@pulumi/pulumi/runtime/config");

export const PROJECT = "lchost";

export interface PlannedResource {
  urn: string;
  type: string;
  name: string;
  /** URN of the parent resource (the stack's root when absent). */
  parent?: string;
  custom: boolean;
  /** Inputs with secrets wrapped (planValues.SecretValue). Use maskSecrets() before printing. */
  inputs: Record<string, unknown>;
  retainOnDelete: boolean;
  protect: boolean;
  additionalSecretOutputs: string[];
  dependsOn: string[];
  provider?: string;
  deleteBeforeReplace: boolean;
  /** Types this resource also answers to (aliases with a type), as the engine would match old URNs. */
  aliasTypes: string[];
}

export interface Plan {
  stack: string;
  resources: PlannedResource[];
  /** Stack outputs, secrets wrapped. */
  outputs: Record<string, unknown>;
  millis: number;
  /**
   * Materialized plans only: what the providers computed for each random secret, key and certificate, by URN,
   * with a digest of the inputs it was computed from. A later plan given this one as `previous` keeps these
   * values where URN and inputs are unchanged — what Pulumi's state does (a RandomPassword keeps its result
   * until its inputs change) — so a change to one part does not redraw every secret and recreate every
   * container. Holds secrets: kept only where the plan is (the deployment's state file, mode 0600).
   */
  computed?: Record<string, ComputedState>;
}

export interface ComputedState {
  /** SHA-256 of the resource's inputs, secrets unwrapped. */
  inputs: string;
  state: Record<string, unknown>;
}

/** The resource types whose provider computes a value a plan must keep stable (secrets, keys, certificates). */
const STABLE_COMPUTED_TYPES = new Set([
  "random:index/randomPassword:RandomPassword",
  "random:index/randomString:RandomString",
  "tls:index/privateKey:PrivateKey",
  "tls:index/selfSignedCert:SelfSignedCert",
  "tls:index/certRequest:CertRequest",
  "tls:index/locallySignedCert:LocallySignedCert",
]);

function inputsDigest(inputs: unknown): string {
  return crypto
    .createHash("sha256")
    .update(JSON.stringify(unwrapSecrets(decodeProperties(inputs))) ?? "")
    .digest("hex");
}

/** Outputs of other stacks that this one references (StackReference name -> outputs). */
export type ReferencedOutputs = Record<string, Record<string, unknown>>;

export const PLACEHOLDER_SECRET = "planned-secret-value";

/**
 * Values the real providers would compute, so the program's applies can run. Planning uses stable
 * placeholders; a materialized plan (run for real in Docker or the sandbox) gets real random secrets,
 * a real key and a real self-signed certificate.
 */
function computedState(type: string, name: string, inputs: any, materialize: boolean): Record<string, unknown> {
  if (materialize) {
    const real = materializedState(type, inputs);
    if (real) return real;
  }
  switch (type) {
    case "random:index/randomPassword:RandomPassword":
    case "random:index/randomString:RandomString": {
      // Alphanumeric like the real results (special: false), and recognisable by resource name.
      const seed = `planned${name.replace(/[^A-Za-z0-9]/g, "")}`;
      return { result: seed.repeat(Math.ceil((inputs.length ?? 32) / seed.length)).slice(0, inputs.length ?? 32) };
    }
    case "tls:index/privateKey:PrivateKey":
      return { privateKeyPem: `-----BEGIN PRIVATE KEY-----\n(planned ${name})\n-----END PRIVATE KEY-----\n`, publicKeyPem: "(planned)" };
    case "tls:index/selfSignedCert:SelfSignedCert":
    case "tls:index/locallySignedCert:LocallySignedCert":
      return { certPem: `-----BEGIN CERTIFICATE-----\n(planned ${name})\n-----END CERTIFICATE-----\n` };
    case "tls:index/certRequest:CertRequest":
      return { certRequestPem: `-----BEGIN CERTIFICATE REQUEST-----\n(planned ${name})\n-----END CERTIFICATE REQUEST-----\n` };
    default:
      return {};
  }
}

const ALNUM = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

function materializedState(type: string, rawInputs: any): Record<string, unknown> | undefined {
  const inputs = unwrapSecrets(decodeProperties(rawInputs)) as any;
  switch (type) {
    case "random:index/randomPassword:RandomPassword":
    case "random:index/randomString:RandomString": {
      const bytes = crypto.randomBytes(inputs.length ?? 32);
      return { result: Array.from(bytes, (b) => ALNUM[b % ALNUM.length]).join("") };
    }
    case "tls:index/privateKey:PrivateKey": {
      const { privateKey, publicKey } = crypto.generateKeyPairSync("ec", { namedCurve: "P-256" });
      return {
        privateKeyPem: privateKey.export({ type: "pkcs8", format: "pem" }),
        publicKeyPem: publicKey.export({ type: "spki", format: "pem" }),
      };
    }
    case "tls:index/selfSignedCert:SelfSignedCert":
      return {
        certPem: opensslReq(inputs, [
          "-x509",
          "-days",
          "30",
          // a CA (isCaCertificate): it signs the certificates of tls.LocallySignedCert
          ...(inputs.isCaCertificate ? ["-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign"] : []),
        ]),
      };
    case "tls:index/certRequest:CertRequest":
      return { certRequestPem: opensslReq(inputs, []) };
    case "tls:index/locallySignedCert:LocallySignedCert":
      return withScratchDir((dir) => {
        fs.writeFileSync(path.join(dir, "req.pem"), inputs.certRequestPem);
        fs.writeFileSync(path.join(dir, "ca.pem"), inputs.caCertPem);
        fs.writeFileSync(path.join(dir, "ca-key.pem"), inputs.caPrivateKeyPem, { mode: 0o600 });
        fs.writeFileSync(path.join(dir, "ext.cnf"), locallySignedExtensions(inputs.allowedUses ?? []));
        execFileSync(
          "openssl",
          [
            "x509",
            "-req",
            "-in",
            path.join(dir, "req.pem"),
            "-CA",
            path.join(dir, "ca.pem"),
            "-CAkey",
            path.join(dir, "ca-key.pem"),
            "-set_serial",
            `0x${crypto.randomBytes(16).toString("hex")}`,
            "-days",
            "30",
            // the request's subjectAltName (the names the certificate is for) carries over
            "-copy_extensions",
            "copy",
            "-extfile",
            path.join(dir, "ext.cnf"),
            "-out",
            path.join(dir, "cert.pem"),
          ],
          { stdio: "ignore" },
        );
        return { certPem: fs.readFileSync(path.join(dir, "cert.pem"), "utf8") };
      });
    default:
      return undefined;
  }
}

/**
 * `openssl req -new` on the key of a tls.SelfSignedCert or tls.CertRequest, with its subject and DNS names: a
 * certificate request, or with `-x509` among `extra` a self-signed certificate. Answers the PEM.
 */
function opensslReq(inputs: any, extra: string[]): string {
  return withScratchDir((dir) => {
    fs.writeFileSync(path.join(dir, "key.pem"), inputs.privateKeyPem, { mode: 0o600 });
    const san = (inputs.dnsNames ?? []).map((d: string) => `DNS:${d}`).join(",");
    execFileSync(
      "openssl",
      [
        "req",
        "-new",
        "-key",
        path.join(dir, "key.pem"),
        "-out",
        path.join(dir, "out.pem"),
        "-subj",
        `/CN=${inputs.subject?.commonName ?? "lchost"}`,
        ...(san ? ["-addext", `subjectAltName=${san}`] : []),
        ...extra,
      ],
      { stdio: "ignore" },
    );
    return fs.readFileSync(path.join(dir, "out.pem"), "utf8");
  });
}

function withScratchDir<T>(run: (dir: string) => T): T {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "lchost-cert-"));
  try {
    return run(dir);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** The X.509 extensions of a tls.LocallySignedCert's allowedUses (the provider's names), for `openssl x509 -extfile`. */
export function locallySignedExtensions(allowedUses: string[]): string {
  const keyUsage = allowedUses.flatMap((u) => ({ digital_signature: ["digitalSignature"], key_encipherment: ["keyEncipherment"] })[u] ?? []);
  const extended = allowedUses.flatMap((u) => ({ server_auth: ["serverAuth"], client_auth: ["clientAuth"] })[u] ?? []);
  return [
    "basicConstraints=critical,CA:FALSE",
    ...(keyUsage.length ? [`keyUsage=critical,${keyUsage.join(",")}`] : []),
    ...(extended.length ? [`extendedKeyUsage=${extended.join(",")}`] : []),
    "",
  ].join("\n");
}

class CapturingMonitor extends MockMonitor {
  readonly captured: PlannedResource[] = [];
  readonly computed: Record<string, ComputedState> = {};
  /** The URN of the resource being registered: the SDK's registerResource calls newResource synchronously, first. */
  private registering?: string;

  constructor(
    private readonly references: ReferencedOutputs,
    private readonly stackName: string,
    materialize: boolean,
    previous?: Plan["computed"],
  ) {
    super({
      newResource: (args: pulumi.runtime.MockResourceArgs) => {
        if (args.type === "pulumi:pulumi:StackReference") {
          const refName = String(args.inputs.name ?? args.name);
          const outputs = this.references[refName];
          if (!outputs) throw new Error(`stack '${this.stackName}' references stack '${refName}', which was not planned`);
          const secretOutputNames = Object.entries(outputs)
            .filter(([, v]) => v && typeof v === "object" && (v as any).$secret === true)
            .map(([k]) => k);
          const plain = Object.fromEntries(
            Object.entries(outputs).map(([k, v]) => [k, v && typeof v === "object" && (v as any).$secret ? (v as any).value : v]),
          );
          return { id: refName, state: { name: refName, outputs: plain, secretOutputNames } };
        }
        if (materialize && STABLE_COMPUTED_TYPES.has(args.type) && this.registering) {
          const urn = this.registering;
          const digest = inputsDigest(args.inputs);
          const kept = previous?.[urn]?.inputs === digest ? previous[urn].state : undefined;
          const state = kept ?? computedState(args.type, args.name, args.inputs, materialize);
          this.computed[urn] = { inputs: digest, state };
          return { id: `${args.name}-id`, state: { ...args.inputs, ...state } };
        }
        return { id: `${args.name}-id`, state: { ...args.inputs, ...computedState(args.type, args.name, args.inputs, materialize) } };
      },
      call: (args: pulumi.runtime.MockCallArgs) => args.inputs,
    });
  }

  registerResource(req: any, callback: any) {
    const type = req.getType();
    const urn = this.newUrn(req.getParent(), type, req.getName());
    if (type !== "pulumi:pulumi:Stack") {
      const parent = req.getParent() || undefined;
      this.captured.push({
        urn,
        type,
        name: req.getName(),
        parent: parent && !parent.endsWith(`::pulumi:pulumi:Stack::${PROJECT}-${this.stackName}`) ? parent : undefined,
        custom: req.getCustom(),
        inputs: (decodeProperties(req.getObject()?.toJavaScript() ?? {}) ?? {}) as Record<string, unknown>,
        retainOnDelete: Boolean(req.getRetainondelete?.()),
        protect: Boolean(req.getProtect?.()),
        additionalSecretOutputs: req.getAdditionalsecretoutputsList?.() ?? [],
        dependsOn: req.getDependenciesList?.() ?? [],
        provider: req.getProvider() || undefined,
        deleteBeforeReplace: Boolean(req.getDeletebeforereplace?.()),
        aliasTypes: (req.getAliasesList?.() ?? []).map((a: any) => a.getSpec?.()?.getType?.()).filter((t: unknown) => typeof t === "string" && t !== ""),
      });
    }
    this.registering = urn;
    try {
      return super.registerResource(req, callback);
    } finally {
      this.registering = undefined;
    }
  }
}

/**
 * Runs the Pulumi program for one stack under Pulumi's mock runtime: no CLI, no engine, no Docker.
 * Many stacks can be planned one after the other in the same process.
 */
export interface PlanOptions {
  /** Real random secrets and TLS material instead of placeholders (for running the plan for real). */
  materialize?: boolean;
  /** Values for the stack's secret config keys (without namespace); placeholders otherwise. */
  configSecrets?: Record<string, string>;
  /** The inventory lchost:hosts names are resolved in; default: the one beside the stack file's directory (if any). */
  inventory?: HostInventory;
  /** With `materialize`: the plan deployed before; its secrets, keys and certificates are kept where URN and inputs match (Plan.computed). */
  previous?: Plan;
}

export async function planStack(stack: StackFile, references: ReferencedOutputs = {}, options: PlanOptions = {}): Promise<Plan> {
  const started = process.hrtime.bigint();
  const monitor = new CapturingMonitor(references, stack.stackName, options.materialize ?? false, options.previous?.computed);
  settings.setMockOptions(monitor, PROJECT, stack.stackName, true);
  const store = require("@pulumi/pulumi/runtime/state").getStore();
  store.supportsSecrets = true;
  store.supportsResourceReferences = true;
  store.supportsAliasSpecs = true;
  store.supportsDeletedWith = true;

  // Config as the engine passes it: strings (objects as JSON); secure values cannot be decrypted
  // offline, so they become placeholders that are secret like the real ones.
  const all: Record<string, string> = {};
  for (const [k, v] of Object.entries(stack.allConfig)) {
    if (stack.secretKeys.includes(k)) all[k] = options.configSecrets?.[k.replace(/^lchost:/, "")] ?? PLACEHOLDER_SECRET;
    else all[k] = typeof v === "string" ? v : JSON.stringify(v);
  }
  config.setAllConfig(all, stack.secretKeys);
  const lchost = new pulumi.Config(PROJECT);

  // An error thrown inside an apply surfaces as an unhandled rejection; the engine would fail the
  // deployment with it, so the plan fails with it too.
  const errors: unknown[] = [];
  const onRejection = (e: unknown) => errors.push(e);
  process.on("unhandledRejection", onRejection);
  let outputs: Record<string, unknown> = {};
  try {
    await pulumi.runtime.runInPulumiStack(async () => {
      const inventory = options.inventory ?? (stack.config.role === "customer" && stack.config.hosts ? findHostInventory(path.dirname(stack.path)) : undefined);
      outputs = deployStack(stack.config, { secret: (key) => lchost.requireSecret(key), ...(inventory ? { inventory } : {}) });
      return outputs;
    });
    await settings.waitForRPCs();
    await new Promise((r) => setImmediate(r));
  } finally {
    process.off("unhandledRejection", onRejection);
  }
  if (errors.length > 0) throw errors[0];
  const resolved = await resolveOutputs(outputs);
  return {
    stack: stack.stackName,
    resources: monitor.captured,
    outputs: resolved as Record<string, unknown>,
    millis: Number(process.hrtime.bigint() - started) / 1e6,
    ...(options.materialize ? { computed: monitor.computed } : {}),
  };
}

/** Resolves stack outputs into plain values, wrapping secrets. */
async function resolveOutputs(v: unknown): Promise<unknown> {
  if (pulumi.Output.isInstance(v)) {
    const o = v as pulumi.Output<unknown>;
    const [value, secret] = await Promise.all([(o as any).promise(), (o as any).isSecret]);
    const inner = await resolveOutputs(value);
    return secret ? { $secret: true, value: inner } : inner;
  }
  if (v instanceof Promise) return resolveOutputs(await v);
  if (Array.isArray(v)) return Promise.all(v.map(resolveOutputs));
  if (v && typeof v === "object") {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) out[k] = await resolveOutputs(x);
    return out;
  }
  return v;
}

export { maskSecrets };
