// The entry of runTsChild: evaluates the snippet given in LCHOST_CHILD_CODE as a module at the repository
// root (the working directory), so it requires the project's files as "./components/…".
const Module = require("module");
const path = require("path");
const file = path.join(process.cwd(), "lchost-child-snippet.ts");
const m = new Module(file, module);
m.filename = file;
m.paths = Module._nodeModulePaths(process.cwd());
m._compile(
  require("typescript").transpileModule(process.env.LCHOST_CHILD_CODE ?? "", { compilerOptions: { module: 1, target: 8, esModuleInterop: true } }).outputText,
  file,
);
