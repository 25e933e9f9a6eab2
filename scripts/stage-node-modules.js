#!/usr/bin/env node
/*
 * Copies the production dependency closure of the services (fastify, pino, mysql2, prom-client, nodemailer and
 * everything they require) from the root node_modules into a staging folder for the Docker images,
 * without the network and without the Pulumi packages. Usage: node scripts/stage-node-modules.js OUT_DIR [PACKAGE...]
 */
"use strict";
const fs = require("fs");
const path = require("path");

const root = path.resolve(__dirname, "..");
const out = path.resolve(process.argv[2] || path.join(root, "dist/docker/node_modules"));
// the services' packages; other roots after OUT_DIR (the heal image: the toolkit's heal path)
const ROOTS = process.argv.length > 3 ? process.argv.slice(3) : ["fastify", "pino", "mysql2", "prom-client", "nodemailer"];

/** Directory of package `name` as node would resolve it from directory `from`. */
function resolvePkg(name, from) {
  let dir = from;
  for (;;) {
    const candidate = path.join(dir, "node_modules", name);
    if (fs.existsSync(path.join(candidate, "package.json"))) return candidate;
    const parent = path.dirname(dir);
    if (parent === dir) return null;
    dir = parent;
  }
}

const seen = new Set();
const queue = ROOTS.map((n) => ({ name: n, from: root, optional: false }));
while (queue.length) {
  const { name, from, optional } = queue.shift();
  const dir = resolvePkg(name, from);
  if (!dir) {
    if (optional) continue;
    throw new Error(`cannot resolve ${name} from ${from}: run npm ci first`);
  }
  if (seen.has(dir)) continue;
  seen.add(dir);
  const pkg = JSON.parse(fs.readFileSync(path.join(dir, "package.json"), "utf8"));
  for (const dep of Object.keys(pkg.dependencies || {})) queue.push({ name: dep, from: dir, optional: false });
  for (const dep of Object.keys(pkg.optionalDependencies || {})) queue.push({ name: dep, from: dir, optional: true });
}

fs.rmSync(out, { recursive: true, force: true });
const nm = path.join(root, "node_modules");
for (const dir of [...seen].sort()) {
  const rel = path.relative(nm, dir);
  if (rel.startsWith("..")) throw new Error(`${dir} is outside ${nm}`);
  fs.cpSync(dir, path.join(out, rel), {
    recursive: true,
    dereference: true,
    filter: (src) => !/[\\/]node_modules[\\/]\.bin([\\/]|$)/.test(src) && !src.endsWith(".md"),
  });
}
console.log(`staged ${seen.size} packages into ${path.relative(root, out)}`);
