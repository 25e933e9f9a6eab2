import * as pulumi from "@pulumi/pulumi";
import { editionFacts } from "../model/catalog";
import { CustomerDeploymentArgs } from "./customerDeployment";
import { CustomerEdition } from "./customerEdition";

/**
 * High Availability Package: 2+ High Performance lines (each with its own FSB) behind an HAProxy
 * balancer that health-checks them, on a Galera cluster of at least 3 MariaDB nodes.
 */
export class HighAvailabilityPackage extends CustomerEdition {
  constructor(name: string, args: CustomerDeploymentArgs, opts?: pulumi.ComponentResourceOptions) {
    const { min, max } = editionFacts("high-availability").lines;
    if (args.config.lines < min || args.config.lines > max) {
      throw new Error(`HighAvailabilityPackage: lchost:lines ${args.config.lines} is out of range; allowed: ${min} to ${max}`);
    }
    super("high-availability", name, args, opts);
  }
}
