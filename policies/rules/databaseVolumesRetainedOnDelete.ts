import * as docker from "@pulumi/docker";
import { ResourceValidationPolicy, validateResourceOfType } from "@pulumi/policy";
import { labelValue } from "../support/containerFacts";

/** A Docker volume that holds a database: labelled lchost.data=database, or named *-db-data*. */
export function isDatabaseVolume(props: any): boolean {
  return labelValue(props, "lchost.data") === "database" || (typeof props?.name === "string" && props.name.includes("-db-data"));
}

/**
 * Database volumes outlive their stack: retainOnDelete keeps the Docker volume when the resource is
 * deleted or replaced. The engine does not pass retainOnDelete to policy packs (PolicyResourceOptions
 * has no such field); lchost's in-process runner does, and under the CLI the policy reports itself
 * not applicable unless the volume is protected.
 */
export const databaseVolumesRetainedOnDelete: ResourceValidationPolicy = {
  name: "database-volumes-retained-on-delete",
  description: "Docker volumes holding a database are kept on delete (retainOnDelete).",
  enforcementLevel: "mandatory",
  validateResource: validateResourceOfType(docker.Volume, (v, args, reportViolation) => {
    if (!isDatabaseVolume(v)) return;
    const opts = args.opts as typeof args.opts & { retainOnDelete?: boolean };
    if (opts.retainOnDelete === true || opts.protect === true) return;
    if (opts.retainOnDelete === undefined) return args.notApplicable("the engine does not tell policies whether retainOnDelete is set");
    reportViolation(`database volume '${v.name}' would be deleted with its stack or on replacement; set retainOnDelete: true`);
  }),
};
