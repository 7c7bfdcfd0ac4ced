import { spawn } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/**
 * The commands `powerlens demo` prints under "Explore further" are copied into a shell as they
 * are: each is run by sh, in the directory the demo ran in, with `powerlens` on the PATH.
 */
let cwd: string;
let env: NodeJS.ProcessEnv;

function sh(line: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((done, fail) => {
    const child = spawn('sh', ['-c', line], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
    });
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    child.on('error', fail);
    child.on('close', (code) => done({ code, stdout, stderr }));
  });
}

let printed: string[] = [];

beforeAll(async () => {
  cwd = mkdtempSync(join(tmpdir(), 'powerlens-demo-explore-'));
  const bin = join(cwd, 'bin');
  mkdirSync(bin);
  // What `npm link` puts on the PATH, running the sources (tsx) instead of dist/.
  const tsx = import.meta.resolve('tsx');
  writeFileSync(
    join(bin, 'powerlens'),
    `#!/bin/sh\nexec "${process.execPath}" --import "${tsx}" "${resolve('src/cli/main.ts')}" "$@"\n`,
  );
  chmodSync(join(bin, 'powerlens'), 0o755);
  env = { ...process.env, PATH: `${bin}:${process.env.PATH}`, NO_COLOR: '1', FORCE_COLOR: '0' };
  const demo = await sh('powerlens demo --users 200 --days 60');
  expect(demo.code, demo.stderr).toBe(0);
  const lines = demo.stdout.split('\n');
  const from = lines.indexOf('Explore further:');
  printed = lines
    .slice(from + 1)
    .filter((l) => l.startsWith('  powerlens '))
    .map((l) => l.trim());
}, 120_000);
afterAll(() => rmSync(cwd, { recursive: true, force: true }));

describe('the commands powerlens demo suggests', () => {
  it('are printed', () => {
    expect(printed.map((l) => l.split(' ')[1])).toEqual(['explain', 'analyze', 'users', 'catalog']);
  });

  it('each run as printed, exit 0', async () => {
    for (const line of printed) {
      const r = await sh(line);
      expect(r.code, `${line}\n${r.stderr}`).toBe(0);
      expect(r.stderr, line).not.toMatch(/error/i);
    }
  }, 120_000);
});
