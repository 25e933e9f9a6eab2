// Two suites: "unit" runs the Pulumi program under the mock runtime and pure functions (no servers);
// "services" runs the FSB emulator and License Central against a real MariaDB that its global setup
// starts from the installed Debian packages (see test/support/).
const tsJest = ["ts-jest", { tsconfig: "<rootDir>/tsconfig.jest.json", diagnostics: false }];
module.exports = {
  projects: [
    {
      displayName: "unit",
      testEnvironment: "node",
      transform: { "^.+\\.ts$": tsJest },
      setupFilesAfterEnv: ["<rootDir>/test/unit/support/timeout.ts"],
      testMatch: ["<rootDir>/test/unit/**/*.test.ts"],
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
      // The HTTPS gateway's security on the real HAProxy (rendered config, trivial backend): path
      // normalization, slowloris limits, TLS profile (testssl.sh), CRL, headers, log masking.
      displayName: "security",
      testEnvironment: "node",
      transform: { "^.+\\.ts$": tsJest },
      testMatch: ["<rootDir>/test/security/**/*.test.ts"],
    },
    {
      // lchost migrate on the real Docker engine (DockerTarget, stacks deployed by DockerRunDeployer);
      // needs dockerd and npm run docker:images; skipped with a printed reason only outside CI without dockerd.
      displayName: "docker-migration",
      testEnvironment: "node",
      transform: { "^.+\\.ts$": tsJest },
      testMatch: ["<rootDir>/test/docker-migration/**/*.test.ts"],
    },
  ],
};
