import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import { editionCatalog } from "../model/catalog";

import type { ImageSettings } from "../model/stackConfig";

export type ImageRole = keyof ImageSettings;

/** Images this repository builds (`npm run docker:images`): the catalog's defaults. They are never pulled. */
export function isRepoBuiltImage(name: string): boolean {
  const common = editionCatalog().common;
  return [...Object.values(common.images), ...Object.values(common.operationsImages), ...Object.values(common.haImages)].includes(name);
}

/**
 * The images a stack uses, as resources on the stack's Docker host: one `docker.RemoteImage` per distinct
 * image (kept on the host when the stack goes). An image this repo builds is never pulled (the provider
 * finds it on the host); that it is there is checked with the provider's image lookup, which also runs in a
 * preview, so a host without it fails before anything is created, naming the image and how to build it.
 * Every container takes its image name from here, so it is created after its image is known to be there.
 */
export function stackImages<R extends string = ImageRole>(
  names: Partial<Record<R, string>>,
  opts: pulumi.CustomResourceOptions,
  /** Resource name prefix when a stack has one image set per host (`<host>-image-<role>`, each with that host's provider). */
  namePrefix = "",
): Partial<Record<R, pulumi.Output<string>>> {
  const byName = new Map<string, pulumi.Output<string>>();
  const out: Partial<Record<R, pulumi.Output<string>>> = {};
  for (const role of Object.keys(names) as R[]) {
    const name = names[role];
    if (name === undefined) continue;
    if (!byName.has(name)) {
      const image = new docker.RemoteImage(`${namePrefix}image-${role}`, { name, keepLocally: true }, opts);
      const present = isRepoBuiltImage(name) ? pulumi.output(imageOnHost(name, opts)) : pulumi.output(name);
      byName.set(
        name,
        pulumi.all([image.name, present]).apply(([n]) => n),
      );
    }
    out[role] = byName.get(name)!;
  }
  return out;
}

async function imageOnHost(name: string, opts: pulumi.CustomResourceOptions): Promise<string> {
  try {
    await docker.getRemoteImage({ name }, { parent: opts.parent, provider: opts.provider });
    return name;
  } catch (e) {
    throw new pulumi.RunError(imageMissingMessage(name, e));
  }
}

/** Pure: the one-line error for an image this repo builds that the stack's Docker host does not have. */
export function imageMissingMessage(name: string, cause: unknown): string {
  const why = String((cause as Error)?.message ?? cause ?? "")
    .split("\n")
    .find((l) => l.trim() !== "");
  return `image ${name} is not on the stack's Docker host${why ? ` (${why.trim()})` : ""}; build it there with 'npm run docker:images' (DOCKER_HOST pointing at that host), or name a registry image in lchost:image / lchost:images`;
}
