import * as pulumi from "@pulumi/pulumi";
import { CustomerDeploymentArgs } from "./customerDeployment";
import { CustomerEdition } from "./customerEdition";

/** High Performance: a Dedicated Server plus its own FSB (emulator, or the real box passed through). */
export class HighPerformance extends CustomerEdition {
  constructor(name: string, args: CustomerDeploymentArgs, opts?: pulumi.ComponentResourceOptions) {
    super("high-performance", name, args, opts);
  }
}
