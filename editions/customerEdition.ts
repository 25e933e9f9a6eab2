import * as pulumi from "@pulumi/pulumi";
import { allowedDowntimeMinutesPerMonth, EditionId, editionFacts } from "../model/catalog";
import { editionComponentType, otherEditionAliases } from "./editionComponentTypes";
import { CustomerDeployment, CustomerDeploymentArgs, deployCustomer } from "./customerDeployment";
import { deployCustomerOnHosts } from "./customerOnHosts";
import { deployCustomerOnKubernetes } from "./kubernetes/customerOnKubernetes";

/** The base of the three editions with a server of their own: checks the edition, deploys, exposes outputs. */
export abstract class CustomerEdition extends pulumi.ComponentResource {
  readonly endpoint: pulumi.Output<string>;
  readonly deployment: CustomerDeployment;
  readonly availabilityPercent: number;
  readonly allowedDowntimeMinutesPerMonth: number;

  protected constructor(edition: EditionId, name: string, args: CustomerDeploymentArgs, opts?: pulumi.ComponentResourceOptions) {
    super(editionComponentType(edition), name, {}, { ...opts, aliases: [...(opts?.aliases ?? []), ...otherEditionAliases(edition)] });
    if (args.config.edition !== edition) {
      throw new Error(`${editionFacts(edition).component} needs lchost:edition '${edition}', got '${args.config.edition}'`);
    }
    // the edition decides what exists, the platform how
    this.deployment =
      args.config.platform === "kubernetes"
        ? deployCustomerOnKubernetes(this, args)
        : args.hosts
          ? deployCustomerOnHosts(this, args, args.hosts)
          : deployCustomer(this, args);
    this.endpoint = this.deployment.endpoint;
    this.availabilityPercent = editionFacts(edition).availabilityPercent;
    this.allowedDowntimeMinutesPerMonth = allowedDowntimeMinutesPerMonth(edition);
    this.registerOutputs({ endpoint: this.endpoint });
  }
}
