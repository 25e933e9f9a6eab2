import { editionCatalog } from "../../../model/catalog";
import { imageMissingMessage, isRepoBuiltImage } from "../../../components/StackImages";
import { containers, planValues } from "../planHelpers";
import { dedicatedValues, haValues } from "../stackFixtures";
import { printResultWhenSettled, runTsChild } from "../support/tsChild";

const REMOTE_IMAGE = "docker:index/remoteImage:RemoteImage";

describe("images are resources of the stack", () => {
  test("an HA stack has one RemoteImage per image it uses, kept on the host, and every container names one of them", async () => {
    const plan = await planValues("wayne", haValues());
    const images = plan.resources.filter((r) => r.type === REMOTE_IMAGE);
    const names = images.map((r) => r.inputs.name).sort();
    const c = editionCatalog().common.images;
    expect(names).toEqual([c.balancer, c.database, c.fsbEmulator, c.licenseCentral, c.mysqldExporter].sort());
    for (const r of images) expect(r.inputs.keepLocally).toBe(true);
    for (const r of containers(plan)) expect(names).toContain(r.inputs.image);
  });

  test("a Dedicated Server (shared FSB) asks for no FSB emulator image", async () => {
    const plan = await planValues("globex", dedicatedValues());
    const names = plan.resources.filter((r) => r.type === REMOTE_IMAGE).map((r) => r.inputs.name);
    expect(names).not.toContain(editionCatalog().common.images.fsbEmulator);
    expect(names).toHaveLength(4); // database, License Central, balancer, mysqld-exporter
  });

  test("the images this repo builds are the catalog's defaults; registry images are not", () => {
    expect(isRepoBuiltImage("lchost/license-central:dev")).toBe(true);
    expect(isRepoBuiltImage("registry.example/lc:1.2")).toBe(false);
  });

  test("the missing-image message names the image, the host's answer and how to build it, on one line", () => {
    expect(imageMissingMessage("lchost/mariadb:dev", new Error("did not find docker image 'lchost/mariadb:dev'\nmore"))).toBe(
      "image lchost/mariadb:dev is not on the stack's Docker host (did not find docker image 'lchost/mariadb:dev'); build it there with 'npm run docker:images' (DOCKER_HOST pointing at that host), or name a registry image in lchost:image / lchost:images",
    );
  });

  test("a repo-built image missing on the host fails the deployment (in preview too) before its containers are created", () => {
    const r = runTsChild(`
import * as pulumi from "@pulumi/pulumi";
const created: string[] = [];
const rejections: string[] = [];
process.on("unhandledRejection", (e: any) => rejections.push(String(e?.message ?? e)));
pulumi.runtime.setMocks({
  newResource: (args) => { created.push(args.type); return { id: args.name, state: args.inputs }; },
  call: (args) => {
    if (args.token === "docker:index/getRemoteImage:getRemoteImage" && args.inputs.name === "lchost/mariadb:dev") throw new Error("did not find docker image 'lchost/mariadb:dev'");
    return args.inputs;
  },
}, "lchost", "unit", true);
const { stackImages } = require("./components/StackImages");
const { DatabaseNode } = require("./components/DatabaseServer");
const images = stackImages({ database: "lchost/mariadb:dev", mysqldExporter: "lchost/mysqld-exporter:dev" }, {});
new DatabaseNode("database", { hostname: "db", image: images.database, networks: ["n"], volumeName: "v", initSql: "", memoryMb: 512, cpuShares: 512, owner: {},
  monitoring: { exporterImage: images.mysqldExporter, monitorPassword: "pw" } });
${printResultWhenSettled("{ created, rejections: [...new Set(rejections)] }")}
`);
    const line = r.stdout.split("\n").find((l) => l.startsWith("RESULT "));
    if (!line) throw new Error(`child failed (${r.status}): ${r.stderr}`);
    const result = JSON.parse(line.slice(7)) as { created: string[]; rejections: string[] };
    // (the mock runtime drops the provider's own words, which the real engine passes on: see the pure test above)
    expect(result.rejections).toEqual([imageMissingMessage("lchost/mariadb:dev", "")]);
    expect(result.created).not.toContain("docker:index/container:Container");
  }, 90_000);
});
