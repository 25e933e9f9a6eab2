// The policy pack's entry point for `pulumi preview --policy-pack policies`. Constructing a PolicyPack
// starts its gRPC server, so this module does nothing else; tests and lchost import ./pack instead.
import { PolicyPack } from "@pulumi/policy";
import { lchostPolicies, POLICY_PACK_NAME } from "./pack";

new PolicyPack(POLICY_PACK_NAME, {
  description: "lchost: tenant isolation, quotas, connection rules, availability and data protection for License Central hosting",
  enforcementLevel: "mandatory",
  policies: lchostPolicies,
});
