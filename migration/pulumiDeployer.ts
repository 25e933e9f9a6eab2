import { requirePulumi, selectPulumiStack } from "../program/pulumiStack";
import type { StackDeployer, StackOutputs, StagedSide } from "./stackDeployer";

/** `pulumi up` of the stack file through the Automation API (the same workspace as `lchost up`). */
export class PulumiDeployer implements StackDeployer {
  readonly name = "pulumi up";
  readonly stagesBeforeUpdate = false;

  constructor(private readonly opts: { backendUrl?: string; onOutput?: (s: string) => void } = {}) {
    requirePulumi("'lchost migrate --target pulumi' deploys the changed stack file with 'pulumi up'");
  }

  async up(stackName: string): Promise<StackOutputs> {
    const stack = await selectPulumiStack(stackName, this.opts.backendUrl);
    const r = await stack.up({ onOutput: this.opts.onOutput });
    if (r.summary.result !== "succeeded") throw new Error(`pulumi up ${stackName}: ${r.summary.result}`);
    return r.outputs;
  }

  /** `pulumi up` replaces the topology in one update (its create-before-delete happens inside it): nothing to start beforehand. */
  async stage(): Promise<StagedSide> {
    return { started: [] };
  }

  async discardStaged(): Promise<string[]> {
    return [];
  }

  /** `pulumi up` removed what it replaced itself. */
  async removeReplaced(): Promise<string[]> {
    return [];
  }

  async outputs(stackName: string): Promise<StackOutputs> {
    return (await selectPulumiStack(stackName, this.opts.backendUrl)).outputs();
  }
}
