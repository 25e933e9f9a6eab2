/** Shared by the gateway security tests: a throw-away folder and the limits they start the gateway with. */
import * as os from "os";
import * as path from "path";
import { editionFacts } from "../../model/catalog";
import { GatewayLimits } from "../../haproxy/renderConfig";

export function tmpDir(label: string): string {
  return path.join(os.tmpdir(), `lchost-sec-${label}-${process.pid}-${Date.now()}`);
}

/** What a High Availability gateway deploys with (the catalog's numbers). */
export function haLimits(): GatewayLimits {
  return editionFacts("high-availability").gateway;
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
