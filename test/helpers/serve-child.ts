import { type ChildProcess, spawn } from 'node:child_process';
import { resolve } from 'node:path';

/**
 * Starts the real `powerlens serve` in a child process on a free port (`--port 0`) and resolves
 * with its base URL once it listens; rejects with its output if it exits first.
 */
export function startServe(
  args: string[],
  env: Record<string, string> = {},
): Promise<{ child: ChildProcess; base: string; output: () => string }> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', resolve('src/cli/main.ts'), 'serve', '--port', '0', ...args],
    { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, ...env } },
  );
  return new Promise((done, fail) => {
    let err = '';
    child.stderr?.on('data', (d: Buffer) => {
      err += d.toString();
      const m = /collector on (http:\/\/[^\s]+)/.exec(err);
      if (m?.[1]) done({ child, base: m[1], output: () => err });
    });
    child.on('exit', (code) => fail(new Error(`serve exited with ${code}: ${err}`)));
  });
}
