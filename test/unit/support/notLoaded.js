// Stands in for `typescript` and `@npmcli/arborist` inside the unit tier (jest.config.js moduleNameMapper).
// @pulumi/pulumi requires both when it loads, for serializing JavaScript functions (dynamic providers,
// callback functions), which lchost never uses; under jest every test file evaluated TypeScript's 9 MB
// compiler again, ~1 s of each file's start. Anything that really uses them fails loudly here, naming what.
"use strict";
module.exports = new Proxy(
  {},
  {
    get(_target, prop) {
      if (typeof prop === "symbol" || prop === "__esModule" || prop === "then" || prop === "default") return undefined;
      throw new Error(
        `the unit tier does not load typescript or @npmcli/arborist (asked for '${String(prop)}'): Pulumi's function serialization is not used by lchost; a test that needs it belongs in another jest project`,
      );
    },
  },
);
