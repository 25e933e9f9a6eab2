import * as pulumi from "@pulumi/pulumi";

/** What a Datacenter tenant needs of its shared server (the outputs of the shared-server stack). */
export interface SharedServerOutputs {
  name: pulumi.Input<string>;
  databaseHost: pulumi.Input<string>;
  databasePort: pulumi.Input<number>;
  databaseImage: pulumi.Input<string>;
  provisionerUser: pulumi.Input<string>;
  provisionerPassword: pulumi.Input<string>;
  fsbUrl: pulumi.Input<string>;
  /** This tenant's network and FSB token on the shared server. */
  tenantNetwork: pulumi.Input<string>;
  tenantFsbToken: pulumi.Input<string>;
  domain: pulumi.Input<string>;
  httpsPort: pulumi.Input<number>;
}
