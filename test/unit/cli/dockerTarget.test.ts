import { runLchost } from "../../support/cliRun";
/**
 * `lchost up|destroy <stack> --target docker` before the engine is touched: the image precondition
 * (against a fake Engine API on a unix socket, which records every request) and the usage rules.
 * The real engine: test/docker-migration/upDestroyOnDocker.test.ts.
 */
import * as fs from "fs";
import * as http from "http";
import * as os from "os";
import * as path from "path";
import { EXIT } from "../../../cli/exitCodes";

jest.setTimeout(120_000);

const run = runLchost;

const STACK = "fake-shared";
let dir: string;
let socket: string;
let server: http.Server;
const requests: string[] = [];
/** Images the fake engine has. */
let present = new Set<string>();

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "lchost-dockertarget-"));
  fs.writeFileSync(
    path.join(dir, `Pulumi.${STACK}.yaml`),
    "config:\n  lchost:role: shared-server\n  lchost:tenants: [acme]\n  lchost:domain: lchost.test\n  lchost:images:\n    balancer: lchost/haproxy:dev\n",
  );
  socket = path.join(dir, "engine.sock");
  server = http.createServer((req, res) => {
    requests.push(`${req.method} ${req.url}`);
    const image = /^\/v[\d.]+\/images\/(.+)\/json$/.exec(req.url ?? "")?.[1];
    res.setHeader("Content-Type", "application/json");
    if (req.method === "GET" && image !== undefined) {
      const name = decodeURIComponent(image);
      res.statusCode = present.has(name) ? 200 : 404;
      res.end(JSON.stringify(present.has(name) ? { Id: "sha256:0" } : { message: `No such image: ${name}` }));
      return;
    }
    res.statusCode = 500; // the precondition must not get this far
    res.end(JSON.stringify({ message: "the fake engine only answers image queries" }));
  });
  server.keepAliveTimeout = 1000;
  server.headersTimeout = 5000;
  server.requestTimeout = 5000;
  await new Promise<void>((resolve) => server.listen(socket, resolve));
  process.env.DOCKER_SOCKET = socket;
});

afterAll(async () => {
  delete process.env.DOCKER_SOCKET;
  await new Promise((resolve) => server.close(resolve));
  fs.rmSync(dir, { recursive: true, force: true });
});

beforeEach(() => (requests.length = 0));

test("up --target docker refuses before creating anything when an image is missing, naming it and how to build it (exit 4)", async () => {
  present = new Set(["lchost/fsb-emulator:dev", "lchost/mariadb:dev", "lchost/mysqld-exporter:dev"]);
  const r = await run("up", STACK, "--target", "docker", "--stacks-dir", dir);
  expect(r.code).toBe(EXIT.prerequisite);
  expect(r.err).toBe(
    `lchost up: image lchost/haproxy:dev not on the Docker engine unix://${socket}: build lchost's images with 'npm run docker:images' ` +
      "(or pull them; other images are set by lchost:image / lchost:images); nothing was created",
  );
  expect(requests.every((q) => /^GET \/v[\d.]+\/images\/.+\/json$/.test(q))).toBe(true);
  expect(requests).toContain("GET /v1.41/images/lchost/haproxy:dev/json");
});

test("every missing image is named at once", async () => {
  present = new Set();
  const r = await run("up", STACK, "--target", "docker", "--stacks-dir", dir);
  expect(r.code).toBe(EXIT.prerequisite);
  expect(r.err).toMatch(/^lchost up: images (lchost\/[a-z-]+:dev, ){3}lchost\/[a-z-]+:dev not on the Docker engine/);
  expect(new Set(requests).size).toBe(4);
});

test("an engine that does not answer is a missing prerequisite too (exit 4)", async () => {
  process.env.DOCKER_SOCKET = path.join(dir, "no-engine.sock");
  try {
    const r = await run("up", STACK, "--target", "docker", "--stacks-dir", dir);
    expect(r.code).toBe(EXIT.prerequisite);
    expect(r.err).toBe(
      `lchost up: the Docker engine unix://${path.join(dir, "no-engine.sock")} does not answer (ENOENT): start dockerd, or point docker:host at a running engine`,
    );
  } finally {
    process.env.DOCKER_SOCKET = socket;
  }
});

test("a failure once the engine works is a deployment failure (exit 3), one line, not a bug", async () => {
  present = new Set(["lchost/fsb-emulator:dev", "lchost/mariadb:dev", "lchost/haproxy:dev", "lchost/mysqld-exporter:dev"]);
  const r = await run("up", STACK, "--target", "docker", "--stacks-dir", dir);
  expect(r.code).toBe(EXIT.failure);
  expect(r.err).toMatch(
    new RegExp(
      `^lchost up: up \\(docker\\) of ${STACK} failed: docker GET /containers/lc-${STACK}-[a-z0-9-]+: 500 the fake engine only answers image queries$`,
    ),
  );
});

test("destroy --target docker needs --yes, and a stack that lchost up --target docker deployed (exit 2)", async () => {
  expect((await run("destroy", STACK, "--target", "docker", "--stacks-dir", dir)).err).toBe(
    "lchost destroy: lchost destroy needs --yes (database volumes are kept unless --target docker --delete-data)",
  );
  const r = await run("destroy", STACK, "--target", "docker", "--stacks-dir", dir, "--yes");
  expect(r.code).toBe(EXIT.usage);
  expect(r.err).toMatch(
    new RegExp(
      `^lchost destroy: --target docker: ${STACK} was not deployed on Docker by lchost \\(no .*${STACK}\\.json\\); deploy it first with 'lchost up ${STACK} --target docker'$`,
    ),
  );
  expect(requests).toEqual([]);
});

test("--delete-data and --stacks-dir belong to --target docker", async () => {
  expect((await run("destroy", "globex", "--delete-data", "--yes")).err).toBe(
    "lchost destroy: --delete-data: only with --target docker (Pulumi keeps database volumes: retainOnDelete)",
  );
  expect((await run("up", "globex", "--stacks-dir", dir)).err).toBe(
    "lchost up: --stacks-dir: only with --target docker (Pulumi reads stacks/ as Pulumi.yaml says)",
  );
  expect((await run("up", "globex", "--delete-data")).code).toBe(EXIT.usage);
});
