/**
 * The import rules of lchost (npm run lint:deps; CI runs it). Layers point one way, lowest first:
 *
 *   model                          stack config schema + types, edition catalog, naming (no Pulumi)
 *   render, haproxy, keepalived, components/render   pure renderers of config files for real software
 *   components                     building blocks (Docker resources)
 *   editions                       one component per edition
 *   program                        the Pulumi program (and its Automation API workspace)
 *   planner, policies              offline plan under the mock runtime; the policy pack
 *   migration, sandbox, dockerRun, scan, sla, fleet, heal  use cases and runtimes (fleet: placement, the fleet's commands; heal: remediation)
 *   cli                            commands: parse, call one use case, print, map errors to exit codes
 *
 * A layer may import its own and any lower layer, never a higher one. Nothing outside cli/ imports cli/.
 * The services (license-central/, fsb-emulator/, notifier/, service-kit/) are separate programs: they never import
 * the toolkit, and the toolkit reads only their contracts (each service's src/env.ts), never internals.
 * bench/ sits on top like cli/ (it may use any toolkit layer, not cli/); it also runs the services
 * in-process, like the tests, so the contract rule does not apply to it. test/ is not checked.
 */
const LAYERS = [
  ["model"],
  ["render", "haproxy", "keepalived", "components/render"],
  ["components"],
  ["editions"],
  ["program"],
  ["planner", "policies"],
  ["migration", "sandbox", "dockerRun", "scan", "sla", "fleet", "heal"],
  ["cli"],
];
const SERVICES = ["license-central", "fsb-emulator", "notifier", "status-portal", "service-kit"];
const TOOLKIT = [...LAYERS.flat(), "bench"];

const any = (dirs) => `^(${dirs.join("|")})/`;

// components/render/ belongs to the render layer, below the rest of components/ (which ^components/ would match)
const layerRules = LAYERS.slice(0, -1).map((dirs, i) => {
  const higher = LAYERS.slice(i + 1).flat();
  const from = { path: any(dirs) };
  if (dirs.includes("components")) from.pathNot = "^components/render/";
  const to = { path: any(higher) };
  if (dirs.includes("components/render")) to.pathNot = "^components/render/";
  return {
    name: `layer-${dirs[0]}-imports-only-lower-layers`,
    comment: `${dirs.join(", ")} may not import a higher layer (${higher.join(", ")}); see the layer list at the top of .dependency-cruiser.js`,
    severity: "error",
    from,
    to,
  };
});

module.exports = {
  forbidden: [
    {
      name: "no-circular",
      comment: "Import cycles make load order matter and layers meaningless; move the shared part to its own module.",
      severity: "error",
      from: {},
      to: { circular: true },
    },
    {
      name: "only-cli-imports-cli",
      comment: "cli/ parses flags and prints; anything another module needs from it belongs in a lower layer.",
      severity: "error",
      from: { pathNot: "^cli/" },
      to: { path: "^cli/" },
    },
    ...layerRules,
    {
      name: "services-never-import-the-toolkit",
      comment: "license-central/, fsb-emulator/, notifier/ and service-kit/ are separate programs shipped in their own images.",
      severity: "error",
      from: { path: any(SERVICES) },
      to: { path: any(TOOLKIT) },
    },
    {
      name: "toolkit-reads-only-service-contracts",
      comment: "The toolkit knows a service by its contract (src/env.ts: variable names, defaults, paths), never its internals.",
      severity: "error",
      from: { path: any(TOOLKIT.filter((d) => d !== "bench")) },
      to: {
        path: any(SERVICES),
        pathNot:
          "^((license-central|fsb-emulator|notifier|status-portal)/src/env|notifier/src/webhookSignature|notifier/src/alertmanagerPayload|status-portal/src/passwordHash)\\.ts$",
      },
    },
  ],
  options: {
    // the toolkit's layers, bench/ and the services; test/, scripts/ and dist/ are not checked
    includeOnly: { path: any([...TOOLKIT, ...SERVICES]) },
    doNotFollow: { path: "node_modules" },
    // node_modules is a symlink in worktrees: do not resolve through it into another checkout
    preserveSymlinks: true,
    exclude: { path: "(^|/)node_modules/|^dist/|\\.test\\.ts$" },
    // type-only imports count: a type from a higher layer ties the layers as much as a value does
    tsPreCompilationDeps: true,
    tsConfig: { fileName: "tsconfig.json" },
    enhancedResolveOptions: { exportsFields: ["exports"], conditionNames: ["import", "require", "node", "default"] },
  },
};
