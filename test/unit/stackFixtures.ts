import { editionCatalog } from "../../model/catalog";
import { parseStackConfig, StackConfig } from "../../model/stackConfig";
import { parseStackFileText, StackFile } from "../../model/stackFile";
import * as YAML from "yaml";

/** A compliant High Availability config (keys without namespace); tests change one thing. */
export function haValues(): Record<string, unknown> {
  return {
    customer: "wayne",
    edition: "high-availability",
    lines: 3,
    connection: {
      ipAllowList: ["192.0.2.0/24"],
      basicAuth: { username: "crm", passwordKey: "wsPassword" },
    },
    wsPassword: { secure: "v1:x" },
    fsb: { mode: "emulator", signLatencyMs: 50 },
  };
}

export function dedicatedValues(): Record<string, unknown> {
  return {
    customer: "globex",
    edition: "dedicated",
    connection: { ipAllowList: ["198.51.100.0/24"] },
    fsb: { mode: "shared", sharedUrl: "http://fsb.dc1.lchost.local:7070", tokenKey: "fsbToken" },
    fsbToken: { secure: "v1:y" },
  };
}

export function datacenterValues(): Record<string, unknown> {
  return { customer: "acme", edition: "datacenter", sharedServer: "shared-dc1" };
}

export function sharedValues(): Record<string, unknown> {
  return { role: "shared-server", tenants: ["acme", "initech"], domain: "dc1.lchost.local" };
}

/** Validates config values the way a stack file's would be. */
export function parse(values: Record<string, unknown>, stackName = "test"): StackConfig {
  const secretKeys = new Set(
    Object.entries(values)
      .filter(([, v]) => v && typeof v === "object" && "secure" in (v as object))
      .map(([k]) => k),
  );
  return parseStackConfig({ stackName, source: "test", values, secretKeys, defaultImages: editionCatalog().common.images });
}

/** A stack file object built from config values (namespaced as in a real file). */
export function stackFile(name: string, values: Record<string, unknown>, dir = "/virtual/stacks"): StackFile {
  const config = Object.fromEntries(Object.entries(values).map(([k, v]) => [`lchost:${k}`, v]));
  return parseStackFileText(YAML.stringify({ config }), `${dir}/Pulumi.${name}.yaml`);
}
