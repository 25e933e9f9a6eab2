import { Policies } from "@pulumi/policy";
import { balancerDetectsDeadLine } from "./rules/balancerDetectsDeadLine";
import { basicAuthOnlyOverTls } from "./rules/basicAuthOnlyOverTls";
import { containerNoHostAccess } from "./rules/containerNoHostAccess";
import { databaseAndFsbPortsNotPublished } from "./rules/databaseAndFsbPortsNotPublished";
import { databaseVolumesRetainedOnDelete } from "./rules/databaseVolumesRetainedOnDelete";
import { expectedVolumeWithinEdition } from "./rules/expectedVolumeWithinEdition";
import { haBalancerPair } from "./rules/haBalancerPair";
import { haLinesAndDatabaseNodes } from "./rules/haLinesAndDatabaseNodes";
import { ipAllowListNarrow } from "./rules/ipAllowListNarrow";
import { ipAllowListNotOpen } from "./rules/ipAllowListNotOpen";
import { kubernetesHaSpreadAndDisruptionBudgets } from "./rules/kubernetesHaSpreadAndDisruptionBudgets";
import { kubernetesNamespacesDenyByDefault } from "./rules/kubernetesNamespacesDenyByDefault";
import { kubernetesNoCrossTenantNetworkRule } from "./rules/kubernetesNoCrossTenantNetworkRule";
import { kubernetesOnlyGatewayExposed } from "./rules/kubernetesOnlyGatewayExposed";
import { kubernetesPodsNoHostAccess } from "./rules/kubernetesPodsNoHostAccess";
import { kubernetesPodsRestricted } from "./rules/kubernetesPodsRestricted";
import { kubernetesProbesOnEveryContainer } from "./rules/kubernetesProbesOnEveryContainer";
import { kubernetesResourceQuotaMatchesCatalog } from "./rules/kubernetesResourceQuotaMatchesCatalog";
import { kubernetesSecretsOnlyInSecrets } from "./rules/kubernetesSecretsOnlyInSecrets";
import { kubernetesVolumeClaimsRetained } from "./rules/kubernetesVolumeClaimsRetained";
import { licenseCentralQuotasMatchCatalog } from "./rules/licenseCentralQuotasMatchCatalog";
import { longRunningContainersRestartAndHealthCheck } from "./rules/longRunningContainersRestartAndHealthCheck";
import { publishedEndpointsTlsOnly } from "./rules/publishedEndpointsTlsOnly";
import { secretsNotInPlainText } from "./rules/secretsNotInPlainText";
import { sharedServerContainerLimits } from "./rules/sharedServerContainerLimits";
import { tenantDatabaseOwnSchema } from "./rules/tenantDatabaseOwnSchema";
import { tenantFsbCredentialsOwn } from "./rules/tenantFsbCredentialsOwn";
import { tenantLicenseCentralOwnNetwork } from "./rules/tenantLicenseCentralOwnNetwork";
import { webServicesAuthenticated } from "./rules/webServicesAuthenticated";
import { webServicesMatchEdition } from "./rules/webServicesMatchEdition";

export const POLICY_PACK_NAME = "lchost";

/** Every policy of the lchost pack, grouped as in policies/README.md. Importing this starts no server. */
export const lchostPolicies: Policies = [
  // Tenant isolation
  tenantLicenseCentralOwnNetwork,
  tenantDatabaseOwnSchema,
  tenantFsbCredentialsOwn,
  containerNoHostAccess,
  sharedServerContainerLimits,
  kubernetesNamespacesDenyByDefault,
  kubernetesNoCrossTenantNetworkRule,
  kubernetesPodsNoHostAccess,
  kubernetesPodsRestricted,
  // Quotas
  expectedVolumeWithinEdition,
  licenseCentralQuotasMatchCatalog,
  webServicesMatchEdition,
  kubernetesResourceQuotaMatchesCatalog,
  // Connection rules
  publishedEndpointsTlsOnly,
  webServicesAuthenticated,
  basicAuthOnlyOverTls,
  ipAllowListNotOpen,
  ipAllowListNarrow,
  databaseAndFsbPortsNotPublished,
  kubernetesOnlyGatewayExposed,
  // Availability
  haLinesAndDatabaseNodes,
  haBalancerPair,
  balancerDetectsDeadLine,
  longRunningContainersRestartAndHealthCheck,
  kubernetesHaSpreadAndDisruptionBudgets,
  kubernetesProbesOnEveryContainer,
  // Data protection
  databaseVolumesRetainedOnDelete,
  secretsNotInPlainText,
  kubernetesVolumeClaimsRetained,
  kubernetesSecretsOnlyInSecrets,
];
