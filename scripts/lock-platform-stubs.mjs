#!/usr/bin/env node
/**
 * The registry these machines reach serves only this platform's native packages, so `npm install`
 * leaves the other platforms' optional packages (biome, duckdb bindings) out of package-lock.json,
 * and `npm ci` then refuses the lockfile as out of sync. This adds a stub entry (version, os, cpu,
 * libc, optional) for every optional dependency the lockfile lacks; npm ci skips them on a
 * platform they do not match. Run it after any `npm install` that rewrites the lockfile.
 */
import { readFileSync, writeFileSync } from 'node:fs';

const LOCK = new URL('../package-lock.json', import.meta.url);
const lock = JSON.parse(readFileSync(LOCK, 'utf8'));
const packages = lock.packages;

function platformOf(name) {
  const os = ['darwin', 'win32', 'linux', 'android', 'freebsd'].find((o) => name.includes(`-${o}`));
  const cpu = ['arm64', 'x64', 'ia32', 'arm'].find((c) => new RegExp(`-${c}(-|$)`).test(name));
  const entry = {};
  if (os) entry.os = [os];
  if (cpu) entry.cpu = [cpu];
  if (/-musl($|-)/.test(name)) entry.libc = ['musl'];
  else if (os === 'linux') entry.libc = ['glibc'];
  return entry;
}

let added = 0;
for (const [path, pkg] of Object.entries(packages)) {
  for (const [dep, version] of Object.entries(pkg.optionalDependencies ?? {})) {
    const key = `node_modules/${dep}`;
    if (packages[key]) continue;
    const platform = platformOf(dep);
    if (!platform.os) continue; // only platform packages are stubbed
    packages[key] = {
      version,
      ...(pkg.dev || path === '' ? { dev: pkg.dev } : {}),
      optional: true,
      ...platform,
    };
    if (packages[key].dev === undefined) delete packages[key].dev;
    added++;
  }
}
const sorted = Object.fromEntries(
  Object.entries(packages).sort(([a], [b]) => (a === '' ? -1 : b === '' ? 1 : a.localeCompare(b))),
);
lock.packages = sorted;
writeFileSync(LOCK, `${JSON.stringify(lock, null, 2)}\n`);
console.log(`lock-platform-stubs: added ${added} entries`);
