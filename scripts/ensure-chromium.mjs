#!/usr/bin/env node
/**
 * `npm test` drives Debian's chromium (/usr/bin/chromium) for the dashboard's end-to-end tests.
 * Run before the tests (npm's pretest): when the browser is missing, it is installed with apt-get
 * where that is possible (root, as on CI), else the run stops with the command that installs it.
 * POWERLENS_CHROMIUM names another executable.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const browser = process.env.POWERLENS_CHROMIUM ?? '/usr/bin/chromium';
if (existsSync(browser)) process.exit(0);

const say = (line) => process.stderr.write(`ensure-chromium: ${line}\n`);
const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
const hasApt = spawnSync('sh', ['-c', 'command -v apt-get'], { stdio: 'ignore' }).status === 0;

if (isRoot && hasApt) {
  say(`${browser} is missing: installing Debian's chromium (apt-get, once)`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const run = (args) => spawnSync('apt-get', args, { stdio: 'inherit', env }).status === 0;
  if (run(['update']) && run(['install', '-y', '--no-install-recommends', 'chromium'])) {
    if (existsSync(browser)) process.exit(0);
  }
  say('apt-get could not install chromium; see its output above.');
  process.exit(1);
}

say(`the dashboard tests need Chromium at ${browser}, which is missing.`);
say(
  hasApt
    ? 'install it once with:  sudo apt-get install -y --no-install-recommends chromium'
    : 'install Chromium with your package manager, then set POWERLENS_CHROMIUM=/path/to/chromium',
);
say('then run npm test again.');
process.exit(1);
