import { spawn } from 'node:child_process';

/** Helpers the benchmarks share: children that measure one side, and comparing their results. */

export const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? (s[mid] ?? 0) : ((s[mid - 1] ?? 0) + (s[mid] ?? 0)) / 2;
};

/** Numbers rounded to 12 significant digits, so a different summation order is not a mismatch. */
function canonical(value: unknown): unknown {
  if (typeof value === 'number') return Number.isInteger(value) ? value : +value.toPrecision(12);
  if (Array.isArray(value)) return value.map(canonical);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, canonical(v)]));
  }
  return value;
}

/**
 * Runs a benchmark script in a child process of its own (its peak RSS is its own, its start is
 * cold) and resolves with the JSON it prints on stdout; its stderr (progress) goes to ours.
 */
export function runJsonChild<T>(script: string, args: string[], what: string): Promise<T> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...process.execArgv, script, ...args], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      out += chunk;
    });
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0) {
        reject(new Error(`benchmark child (${what}) exited with ${code}`));
        return;
      }
      try {
        resolve(JSON.parse(out || 'null') as T);
      } catch (err) {
        reject(err);
      }
    });
  });
}

/** The sections of a report that two ways of computing it must agree on. */
export const REPORT_SECTIONS = [
  'totals',
  'curves',
  'concentration',
  'power_vs_everyone_else',
  'feature_adoption',
  'top_power_users',
] as const;

/** Section by section, whether two reports are the same (numbers to 12 significant digits). */
export function sameSections(
  a: Readonly<Record<(typeof REPORT_SECTIONS)[number], unknown>>,
  b: Readonly<Record<(typeof REPORT_SECTIONS)[number], unknown>>,
): Record<string, boolean> {
  return Object.fromEntries(
    REPORT_SECTIONS.map((s) => [
      s,
      JSON.stringify(canonical(a[s])) === JSON.stringify(canonical(b[s])),
    ]),
  );
}
