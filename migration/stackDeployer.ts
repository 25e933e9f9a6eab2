/**
 * The seam between the Docker target of `lchost migrate` and whatever deploys the stack: the Pulumi
 * Automation API (`PulumiDeployer`, for real deployments) or this repo's dockerRun stand-in
 * (`DockerRunDeployer`, on this machine's engine where no Pulumi CLI exists). Both deploy the stack file
 * as it is on disk and answer with the stack outputs, secrets marked as such.
 */
export type StackOutputs = Record<string, { value: unknown; secret: boolean }>;

/** What stage() started beside the running deployment. */
export interface StagedSide {
  started: string[];
  /**
   * The staged stack's outputs, when its whole new side runs (every line and database container): the data
   * can then be copied and verified there before up() switches the entry point to it.
   */
  outputs?: StackOutputs;
}

export interface StackDeployer {
  readonly name: string;
  /** Whether stage() can start a new side beside the running deployment (then the migration gives the stack the next generation). */
  readonly stagesBeforeUpdate: boolean;
  /** Deploys the stack file as it is now (one update of the whole stack); returns the stack outputs. */
  up(stackName: string): Promise<StackOutputs>;
  /**
   * Before the update, starts beside the running deployment what of the stack file on disk can run at the
   * same time (new names, no published port in use); up() of the same file then keeps it, switches the
   * entry point in place and leaves the replaced containers running until removeReplaced(). Answers what
   * it started (nothing when the deployer updates everything in one go, as `pulumi up` does).
   */
  stage(stackName: string): Promise<StagedSide>;
  /** Removes what stage() started and up() has not taken over (a migration rolled back). */
  discardStaged(stackName: string): Promise<string[]>;
  /** After the window: removes what the last up() left running of the deployment it replaced (data volumes stay). */
  removeReplaced(stackName: string): Promise<string[]>;
  /** The outputs of the stack as last deployed. */
  outputs(stackName: string): Promise<StackOutputs>;
}

/** A stack output's value; names the output and the stack when it is missing. */
export function requireOutput<T>(outputs: StackOutputs, key: string, stackName: string): T {
  const o = outputs[key];
  if (!o || o.value === undefined) {
    throw new Error(`stack ${stackName} has no output '${key}': deploy it once with this version of lchost (lchost up ${stackName}) before migrating`);
  }
  return o.value as T;
}
