import * as pulumi from "@pulumi/pulumi";
import { readProgramConfig } from "../model/programConfig";
import { deployStack } from "./deployStack";

/** Pulumi entry point (Pulumi.yaml main): reads the stack's lchost: config and deploys it. */
export = async () => {
  const config = readProgramConfig();
  const lchost = new pulumi.Config("lchost");
  return deployStack(config, { secret: (key) => lchost.requireSecret(key) });
};
