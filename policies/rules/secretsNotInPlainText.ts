import * as docker from "@pulumi/docker";
import { ResourceValidationPolicy, validateResourceOfType } from "@pulumi/policy";
import { isSecretPath, secretPathsOf } from "../support/secretInputs";

/** Names of env vars and labels that hold credentials. */
const SENSITIVE_NAME = /(PASSWORD|PASSWD|(^|_)PWD$|TOKEN|SECRET|PRIVATE_?KEY|API_?KEY|CREDENTIAL)/i;

/** `NOTIFIER_TOKEN_FILE=/etc/…`: the variable says where a secret file is, not the secret (the file's upload is checked). */
function namesASecretFile(key: string, value: string): boolean {
  return /_FILE$/i.test(key) && /^\/[A-Za-z0-9._/-]+$/.test(value);
}

/** File contents that hold credentials. */
const SENSITIVE_CONTENT: Array<[RegExp, string]> = [
  [/-----BEGIN [A-Z ]*PRIVATE KEY-----/, "a private key"],
  [/IDENTIFIED (BY|WITH \S+ (BY|AS)) '[^']/i, "a database password"],
  [/^\s*user \S+ (insecure-)?password \S+/m, "an HAProxy user password"],
  [/^\s*password\s*=\s*\S+/im, "a password setting"],
];

/**
 * No password, token or key in plain text: in container env, labels and uploaded files such values
 * must be Pulumi secrets (encrypted in state, masked in output).
 *
 * In lchost's runner the policy knows which input values were secrets. Under the Pulumi CLI,
 * @pulumi/policy unwraps secrets before a policy sees them; the policy then accepts a sensitive value
 * when its property is listed in additionalSecretOutputs (the program declared it secret), which is the
 * most the engine shows.
 */
export const secretsNotInPlainText: ResourceValidationPolicy = {
  name: "secrets-not-in-plain-text",
  description: "Passwords, tokens and keys in container env, labels and uploads are Pulumi secrets.",
  enforcementLevel: "mandatory",
  validateResource: validateResourceOfType(docker.Container, (c, args, reportViolation) => {
    const paths = secretPathsOf(args.props);
    const secret = (path: string, property: string) => (paths ? isSecretPath(paths, path) : args.opts.additionalSecretOutputs.includes(property));
    const name = c.name ?? args.name;
    (Array.isArray(c.envs) ? c.envs : []).forEach((e: unknown, i: number) => {
      if (typeof e !== "string") return;
      const key = e.split("=")[0];
      const value = e.slice(key.length + 1);
      if (namesASecretFile(key, value)) return;
      if (SENSITIVE_NAME.test(key) && value !== "" && !secret(`envs[${i}]`, "envs")) {
        reportViolation(`env ${key} of container '${name}' is plain text; pass it as a Pulumi secret (pulumi.secret(...))`);
      }
    });
    (Array.isArray(c.labels) ? c.labels : []).forEach((l: any, i: number) => {
      const sensitive =
        (typeof l?.label === "string" && SENSITIVE_NAME.test(l.label)) || (typeof l?.value === "string" && SENSITIVE_CONTENT[0][0].test(l.value));
      if (sensitive && !secret(`labels[${i}].value`, "labels")) {
        reportViolation(
          `label ${l.label} of container '${name}' holds a credential in plain text; labels are readable by anyone with Docker access — do not put credentials there`,
        );
      }
    });
    (Array.isArray(c.uploads) ? c.uploads : []).forEach((u: any, i: number) => {
      if (typeof u?.content !== "string") return;
      const hit = SENSITIVE_CONTENT.find(([re]) => re.test(u.content));
      if (hit && !secret(`uploads[${i}].content`, "uploads")) {
        reportViolation(`upload ${u.file} of container '${name}' holds ${hit[1]} in plain text; make its content a Pulumi secret`);
      }
    });
  }),
};
