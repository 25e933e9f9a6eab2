import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { editionFacts, monthlyQuotas } from "../../model/catalog";
import { customerPodShapes, cpuMillisOfShares, FIXED_POD_SIZES, namespaceQuota } from "../../model/kubernetesResources";
import { customerNames, sharedServerNames, tenantDatabaseName } from "../../model/naming";
import { CustomerConfig } from "../../model/stackConfig";
import { stackNameOfReference } from "../../model/stackFile";
import { CustomerNamespace } from "../../components/kubernetes/CustomerNamespace";
import { LicenseCentralDeployment } from "../../components/kubernetes/LicenseCentralDeployment";
import { createNetworkPolicies, tenantFlows } from "../../components/kubernetes/networkPolicies";
import { LABEL, ownerLabels } from "../../components/kubernetes/objectLabels";
import { SqlSetupJob } from "../../components/kubernetes/SqlSetupJob";
import { schemaOwnerSql } from "../../components/render/databaseSql";
import type { SharedServerOutputs } from "../sharedServerOutputs";

/**
 * A Datacenter tenant on Kubernetes: its own namespace (labelled as a tenant of its shared server, which
 * admits it by that label), its schema and user created by a Job with the shared server's provisioning
 * account, and its License Central line. Its NetworkPolicies let it reach the shared server's database and
 * FSB and be reached by the shared entry — no other namespace, so never another tenant.
 */
export function deployDatacenterOnKubernetes(
  parent: pulumi.Resource,
  cfg: CustomerConfig,
  shared: SharedServerOutputs,
): { adminToken: pulumi.Output<string>; databasePassword: pulumi.Output<string> } {
  const facts = editionFacts("datacenter");
  const names = customerNames(cfg.customer);
  const sharedName = stackNameOfReference(cfg.sharedServer!);
  const sharedNamespace = sharedServerNames(sharedName).namespace;
  const o = { parent };
  const owner = ownerLabels({ customer: cfg.customer, edition: cfg.edition });
  const pods = customerPodShapes("datacenter", 1);
  const ns = new CustomerNamespace(
    "namespace",
    { name: names.network, labels: { ...owner, [LABEL.tenantOf]: sharedName }, quota: namespaceQuota(pods), pods, podSecurity: "restricted" },
    o,
  );
  const after = [ns.namespace];
  createNetworkPolicies(parent, names.network, tenantFlows(sharedNamespace), owner, after);
  const schema = tenantDatabaseName(cfg.customer);
  const dbPassword = new random.RandomPassword("db-password", { length: 32, special: false }, o);
  const adminToken = new random.RandomPassword("admin-token", { length: 40, special: false }, o);
  const setup = new SqlSetupJob(
    "database-setup",
    {
      name: `${names.line(1)}-db-setup`,
      namespace: names.network,
      image: shared.databaseImage,
      dbHost: shared.databaseHost,
      dbPort: 3306,
      user: shared.provisionerUser,
      password: shared.provisionerPassword,
      sql: pulumi.secret(dbPassword.result.apply((password) => schemaOwnerSql({ schema, user: schema, password }))),
      size: FIXED_POD_SIZES.sqlJob,
      owner,
      after,
    },
    o,
  );
  new LicenseCentralDeployment(
    "line-1",
    {
      name: names.line(1),
      namespace: names.network,
      image: cfg.images.licenseCentral,
      settings: {
        edition: cfg.edition,
        webServices: facts.includes.webServices,
        quotas: monthlyQuotas("datacenter"),
        quotaMode: cfg.quotaMode,
        dbHost: shared.databaseHost,
        dbPort: 3306,
        dbName: schema,
        dbUser: schema,
        dbPassword: dbPassword.result,
        fsbUrl: shared.fsbUrl,
        fsbFirmCode: cfg.customer,
        fsbToken: shared.tenantFsbToken,
        adminToken: adminToken.result,
        startInMaintenance: cfg.startInMaintenance,
      },
      size: { memoryMb: facts.resources.memoryMb, cpuMillis: cpuMillisOfShares(facts.resources.cpuShares) },
      owner,
      after,
    },
    { parent, dependsOn: [setup] },
  );
  return { adminToken: pulumi.secret(adminToken.result), databasePassword: pulumi.secret(dbPassword.result) };
}
