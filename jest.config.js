// The test tiers (npm test runs them all; docs/testing.md says what each proves):
//   unit      the fast tier (npm run test:unit): pure functions, components under setMocks, policies on small
//             fixtures, stacks planned under the mock runtime; no server, no Debian package
//   plans     whole-program plans across git refs (lchost diff / check on throw-away repos)
//   checks    rendered files checked by the real programs (haproxy -c, openssl, tar, the sandbox's file modes)
//   services  FSB emulator and License Central against a real MariaDB its global setup starts (test/support/)
//   security  the attack review's regressions (npm run test:security): the gateway on the real HAProxy,
//             License Central and the FSB on real processes and MariaDB
//   migration, e2e, docker-migration   real processes, sandboxes and the real Docker engine
//   proofs    the long real-engine proofs of the fleet and self-healing issues (npm run test:proofs; several
//             minutes on a loaded 2-core machine): not in npm test / CI, which keeps to its 40-minute budget
// what @pulumi/pulumi loads only for serializing functions (never used here): see test/unit/support/notLoaded.js
const notLoaded = { "^(typescript|@npmcli/arborist)$": "<rootDir>/test/unit/support/notLoaded.js" };
const tsJest = ["ts-jest", { tsconfig: "<rootDir>/tsconfig.jest.json", diagnostics: false }];
// The fast tier compiles with swc (no type check either way: tsc in npm test does that): a first run in a
// fresh clone, with jest's transform cache empty, spent ~11 s of its CPU in ts-jest's TypeScript emit.
const swc = [
  "@swc/jest",
  { jsc: { parser: { syntax: "typescript" }, target: "es2021", keepClassNames: true }, module: { type: "commonjs", noInterop: false }, sourceMaps: "inline" },
];
module.exports = {
  projects: [
    {
      displayName: "unit",
      testEnvironment: "node",
      transform: { "^.+\\.ts$": swc },
      moduleNameMapper: notLoaded,
      // plans several files share are computed once per run (test/unit/support/planCache.ts)
      globalSetup: "<rootDir>/test/unit/support/runCacheSetup.ts",
      globalTeardown: "<rootDir>/test/unit/support/runCacheTeardown.ts",
      setupFilesAfterEnv: ["<rootDir>/test/unit/support/timeout.ts", "<rootDir>/test/unit/support/sdkPromiseStacks.ts"],
      testMatch: ["<rootDir>/test/unit/**/*.test.ts"],
    },
    {
      displayName: "plans",
      testEnvironment: "node",
      transform: { "^.+\\.ts$": tsJest },
      setupFilesAfterEnv: ["<rootDir>/test/unit/support/timeout.ts"],
      testMatch: ["<rootDir>/test/plans/**/*.test.ts"],
    },
    {
      displayName: "checks",
      testEnvironment: "node",
      transform: { "^.+\\.ts$": tsJest },
      setupFilesAfterEnv: ["<rootDir>/test/unit/support/timeout.ts"],
      testMatch: ["<rootDir>/test/checks/**/*.test.ts"],
    },
    {
      displayName: "services",
      testEnvironment: "node",
      transform: { "^.+\\.ts$": tsJest },
      testMatch: ["<rootDir>/test/services/**/*.test.ts"],
      globalSetup: "<rootDir>/test/support/mariadbGlobalSetup.ts",
      globalTeardown: "<rootDir>/test/support/mariadbGlobalTeardown.ts",
    },
    {
      // lchost migrate end to end on real MariaDB servers (single and Galera), HAProxy and License Central lines
      displayName: "migration",
      testEnvironment: "node",
      transform: { "^.+\\.ts$": tsJest },
      testMatch: ["<rootDir>/test/migration/**/*.test.ts"],
    },
    {
      // The sandbox end to end: real MariaDB/Galera, HAProxy, FSB emulators and License Central lines on
      // loopback addresses and in network namespaces the tests create (test/e2e/).
      displayName: "e2e",
      testEnvironment: "node",
      transform: { "^.+\\.ts$": tsJest },
      testMatch: ["<rootDir>/test/e2e/**/*.test.ts"],
      setupFilesAfterEnv: ["<rootDir>/test/e2e/support/timeout.ts"],
    },
    {
      // The attack review's regressions: the HTTPS gateway on the real HAProxy (rendered config, trivial
      // backend: path normalization, slowloris limits, TLS profile with testssl.sh, CRL, headers, log masking)
      // and License Central on a real MariaDB (canonical paths, atomic quotas, FSB signatures, database
      // timeouts, HTTP edges, log secrets).
      displayName: "security",
      testEnvironment: "node",
      transform: { "^.+\\.ts$": tsJest },
      testMatch: ["<rootDir>/test/security/**/*.test.ts"],
      globalSetup: "<rootDir>/test/support/mariadbGlobalSetup.ts",
      globalTeardown: "<rootDir>/test/support/mariadbGlobalTeardown.ts",
    },
    {
      // Issue 9's proofs: the sandbox with its operations stack (Prometheus, Alertmanager, blackbox exporter,
      // notifier) on real processes; faults injected with kill -9, notifications read from the sandbox's
      // receivers (test/alerts/). Run under flock /tmp/lchost-realruns.lock like e2e.
      displayName: "alerts",
      testEnvironment: "node",
      transform: { "^.+\\.ts$": tsJest },
      testMatch: ["<rootDir>/test/alerts/**/*.test.ts"],
      setupFilesAfterEnv: ["<rootDir>/test/e2e/support/timeout.ts"],
    },
    {
      // lchost migrate on the real Docker engine (DockerTarget, stacks deployed by DockerRunDeployer);
      // needs dockerd and npm run docker:images; skipped with a printed reason only outside CI without dockerd.
      displayName: "docker-migration",
      testEnvironment: "node",
      transform: { "^.+\\.ts$": tsJest },
      testMatch: ["<rootDir>/test/docker-migration/**/*.test.ts"],
    },
    {
      // fleet up / upgrade / the per-host entry on the real Docker engine, a whole Galera cluster stopped and
      // started again; needs dockerd, npm run docker:images, MariaDB + Galera; run by npm run test:proofs
      displayName: "proofs",
      testEnvironment: "node",
      transform: { "^.+\\.ts$": tsJest },
      testMatch: ["<rootDir>/test/proofs/**/*.test.ts"],
    },
  ],
};
