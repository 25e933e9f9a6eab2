import { ResourceValidationPolicy } from "@pulumi/policy";
import { isSecretPath, secretPathsOf } from "../support/secretInputs";
import { containersOf, K8S, workloadOf } from "../support/kubernetesFacts";

const SENSITIVE_NAME = /(PASSWORD|PASSWD|(^|_)PWD$|TOKEN|SECRET|PRIVATE_?KEY|API_?KEY|CREDENTIAL)/i;

/**
 * Credentials live in Secrets only: a pod gets a password or token by secretKeyRef, never as a plain env value,
 * and no ConfigMap holds a value that was a Pulumi secret (or a private key).
 */
export const kubernetesSecretsOnlyInSecrets: ResourceValidationPolicy = {
  name: "kubernetes-secrets-only-in-secrets",
  description: "Passwords and tokens reach pods by secretKeyRef; ConfigMaps hold no secret value.",
  enforcementLevel: "mandatory",
  validateResource: (args, reportViolation) => {
    if (args.type === K8S.configMap) {
      const paths = secretPathsOf(args.props);
      for (const [key, value] of Object.entries(args.props?.data ?? {})) {
        if ((paths && isSecretPath(paths, `data.${key}`)) || /-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(String(value))) {
          reportViolation(`ConfigMap '${args.props?.metadata?.name}' holds a secret in '${key}'; put it in a Secret`);
        }
      }
      return;
    }
    const w = workloadOf(args.type, args.props, args.urn);
    if (!w) return;
    for (const c of containersOf(w.pod)) {
      for (const e of c.env ?? []) {
        if (SENSITIVE_NAME.test(String(e?.name)) && e?.value !== undefined) {
          reportViolation(
            `${args.type.split(":").pop()} '${w.name}': env ${e.name} of container '${c.name}' is a plain value; take it from a Secret (valueFrom.secretKeyRef)`,
          );
        }
      }
    }
  },
};
