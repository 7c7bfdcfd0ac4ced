import { spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

/**
 * `npm ci && npm test` on a fresh machine obtains the browser the dashboard tests drive: npm's
 * pretest runs scripts/ensure-chromium.mjs, and CI runs exactly the README's command.
 */
const script = resolve('scripts/ensure-chromium.mjs');
const run = (env: Record<string, string>, uid?: number) => {
  // Another user may not read the checkout (a clone in a mode-0700 temp folder): it runs a copy.
  let path = script;
  if (uid !== undefined) {
    const dir = mkdtempSync(join(tmpdir(), 'powerlens-chromium-'));
    chmodSync(dir, 0o755);
    path = join(dir, 'ensure-chromium.mjs');
    copyFileSync(script, path);
    chmodSync(path, 0o644);
  }
  return spawnSync(process.execPath, [path], {
    env: { ...process.env, ...env },
    encoding: 'utf8',
    cwd: tmpdir(),
    ...(uid === undefined ? {} : { uid, gid: uid }),
  });
};

describe('the browser the tests need', () => {
  it('is checked before every npm test, and CI runs only the README command', () => {
    const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as {
      scripts: Record<string, string>;
    };
    expect(pkg.scripts.pretest).toMatch(/^node scripts\/ensure-chromium\.mjs( && |$)/);
    const ci = readFileSync('.ci/run', 'utf8')
      .split('\n')
      .filter((l) => l.trim() && !l.startsWith('#'));
    expect(ci.at(-1)).toBe('npm ci && npm test');
    expect(ci.join('\n')).not.toMatch(/apt-get|chromium/);
  });

  it('passes at once when the browser is there', () => {
    const r = run({ POWERLENS_CHROMIUM: process.execPath });
    expect(r.status).toBe(0);
    expect(r.stderr).toBe('');
  });

  it.runIf(process.getuid?.() === 0)(
    'without the rights to install it, stops with the command that does',
    () => {
      const r = run({ POWERLENS_CHROMIUM: '/nonexistent/chromium' }, 65534);
      expect(r.status).toBe(1);
      expect(r.stderr).toContain('/nonexistent/chromium, which is missing');
      expect(r.stderr).toMatch(
        /apt-get install -y --no-install-recommends chromium|POWERLENS_CHROMIUM/,
      );
    },
  );
});
