/**
 * Before anything is created on an engine: the engine answers and has every image the plan's containers
 * run. Refusing here, naming each missing image, beats a half-created stack whose first container fails.
 */
import type { Plan } from "../planner/mockPlanner";
import { unwrapSecrets } from "../planner/planValues";
import { DockerEndpoint, DockerEngine } from "./dockerEngine";
import { PlanEngines } from "./planEngines";
import { TYPE } from "./runPlanInDocker";

/** The engine does not answer (no dockerd, wrong docker:host). */
export class DockerEngineUnavailable extends Error {}

/** Images the plan needs that the engine does not have. */
export class ImagesMissing extends Error {
  constructor(
    readonly images: string[],
    where: string,
  ) {
    super(
      `${images.length === 1 ? "image" : "images"} ${images.join(", ")} not on the Docker engine ${where}: build lchost's images with 'npm run docker:images' ` +
        "(or pull them; other images are set by lchost:image / lchost:images); nothing was created",
    );
  }
}

export function describeEndpoint(e: DockerEndpoint): string {
  if ("socketPath" in e) return `unix://${e.socketPath}`;
  if ("host" in e) return `tcp://${e.host}:${e.port}`;
  return `ssh://${e.ssh}`;
}

/** Every image a plan's containers run, once each, in plan order. */
export function plannedImages(plan: Plan): string[] {
  const images = plan.resources.filter((r) => r.type === TYPE.container).map((r) => String(unwrapSecrets(r.inputs.image)));
  return [...new Set(images)];
}

/**
 * Throws DockerEngineUnavailable or ImagesMissing; creates nothing. A plan spread over hosts is checked engine by
 * engine: each has to have the images of the containers that go to it.
 */
export async function requireImages(plan: Plan, docker: DockerEngine, engineFor?: (dockerHost: string) => DockerEngine): Promise<void> {
  const engines = new PlanEngines(plan, docker, engineFor);
  const byEngine = new Map<DockerEngine, string[]>();
  for (const r of plan.resources.filter((x) => x.type === TYPE.container)) {
    const list = byEngine.get(engines.of(r)) ?? [];
    const image = String(unwrapSecrets(r.inputs.image));
    if (!list.includes(image)) list.push(image);
    byEngine.set(engines.of(r), list);
  }
  for (const [engine, images] of byEngine) await requireImagesOn(engine, images);
}

async function requireImagesOn(docker: DockerEngine, images: string[]): Promise<void> {
  const where = describeEndpoint(docker.endpoint);
  const missing: string[] = [];
  for (const image of images) {
    let status: number;
    try {
      // the name keeps its slashes and tag colon: the Engine API routes /images/{name}/json with name = repo/path:tag
      status = (await docker.request("GET", `/images/${encodeURI(image)}/json`)).status;
    } catch (e) {
      throw new DockerEngineUnavailable(
        `the Docker engine ${where} does not answer (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}): start dockerd, or point docker:host at a running engine`,
      );
    }
    if (status === 404) missing.push(image);
    else if (status >= 300) throw new DockerEngineUnavailable(`the Docker engine ${where} answered ${status} when asked for image ${image}`);
  }
  if (missing.length) throw new ImagesMissing(missing, where);
}
