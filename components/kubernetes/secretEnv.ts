import * as pulumi from "@pulumi/pulumi";
import { FSB_ENV } from "../../fsb-emulator/src/env";
import { LC_ENV } from "../../license-central/src/env";
import type { EnvEntry } from "../serviceEnv";

/** Variables of the services' env contracts that hold secrets: on Kubernetes they come from a Secret, never a plain value. */
export const SECRET_ENV_NAMES: ReadonlySet<string> = new Set([LC_ENV.dbPassword, LC_ENV.fsbToken, LC_ENV.adminToken, LC_ENV.wsToken, FSB_ENV.firmTokens]);

export interface KubernetesEnv {
  env: Array<{ name: string; value?: pulumi.Input<string>; valueFrom?: { secretKeyRef: { name: string; key: string } } }>;
  /** The Secret's stringData: one key per secret variable, named like it. */
  secretData: Record<string, pulumi.Input<string>>;
}

/**
 * The same env entries as the Docker containers get (components/serviceEnv.ts), split: plain values stay in
 * the pod spec, secret ones go to `secretName` and are referenced with secretKeyRef.
 */
export function kubernetesEnv(entries: EnvEntry[], secretName: string): KubernetesEnv {
  const out: KubernetesEnv = { env: [], secretData: {} };
  for (const [name, value] of entries) {
    if (SECRET_ENV_NAMES.has(name)) {
      out.secretData[name] = pulumi.secret(value);
      out.env.push({ name, valueFrom: { secretKeyRef: { name: secretName, key: name } } });
    } else {
      out.env.push({ name, value });
    }
  }
  return out;
}
