import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import { findHostInventory } from "../model/hostInventoryFile";
import { packageRoot } from "../model/packageRoot";
import { readProgramConfig } from "../model/programConfig";
import { deployStack } from "./deployStack";

/** Pulumi entry point (Pulumi.yaml main): reads the stack's lchost: config and deploys it. */
export = async () => {
  const config = readProgramConfig();
  const lchost = new pulumi.Config("lchost");
  // lchost:hosts names are inventory hosts: the project's fleet/hosts.yaml (readProgramConfig checked them against it)
  const inventory = config.role === "customer" && config.hosts ? findHostInventory(path.join(packageRoot(), "stacks")) : undefined;
  return deployStack(config, { secret: (key) => lchost.requireSecret(key), ...(inventory ? { inventory } : {}) });
};
