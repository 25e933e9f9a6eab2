import * as path from "path";
import { packageRoot } from "../model/packageRoot";

/**
 * Where `lchost up <stack> --target docker` keeps what it deployed (plans with their secrets, mode 0600). Its own
 * module so that readers of the state (fleet status) do not load the deployer and, through it, Pulumi.
 */
export function dockerRunStateDir(): string {
  return path.join(packageRoot(), ".docker-run");
}
