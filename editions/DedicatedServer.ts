import * as pulumi from "@pulumi/pulumi";
import { CustomerDeploymentArgs } from "./customerDeployment";
import { CustomerEdition } from "./customerEdition";

/** Dedicated Server: own server and database, web services behind the secured gateway; the shared FSB. */
export class DedicatedServer extends CustomerEdition {
  constructor(name: string, args: CustomerDeploymentArgs, opts?: pulumi.ComponentResourceOptions) {
    if (!args.sharedFsb) throw new Error("DedicatedServer: sharedFsb is required (lchost:fsb.mode shared)");
    super("dedicated", name, args, opts);
  }
}
