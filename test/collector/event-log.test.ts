import { spawn } from 'node:child_process';
import { appendFileSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { EventLog } from '../../src/ingest/collector/event-log.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'powerlens-log-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const linesOf = (paths: string[]) =>
  paths.flatMap((p) => readFileSync(p, 'utf8').split('\n').filter(Boolean));

describe('the event log', () => {
  it('has the lines on disk when append resolves, and groups concurrent appends into few fsyncs', async () => {
    const log = await EventLog.open(dir);
    await log.append(['{"a":1}', '{"a":2}']);
    const [segment] = readdirSync(dir);
    expect(readFileSync(join(dir, segment ?? ''), 'utf8')).toBe('{"a":1}\n{"a":2}\n');
    await Promise.all(Array.from({ length: 200 }, (_, i) => log.append([`{"i":${i}}`])));
    expect(log.stats.appends).toBe(201);
    expect(log.stats.flushes).toBeLessThan(50);
    const closed = await log.rotate();
    expect(linesOf(closed)).toHaveLength(202);
    await log.close();
  });

  it('rotates past the segment size and hands closed segments to the loader, oldest first', async () => {
    const log = await EventLog.open(dir, { segmentBytes: 100 });
    for (let i = 0; i < 10; i++) await log.append([JSON.stringify({ i, pad: 'y'.repeat(40) })]);
    const closed = log.closedSegments();
    expect(closed.length).toBeGreaterThanOrEqual(4);
    expect([...closed].sort()).toEqual(closed);
    await log.markLoaded(closed[0] ?? '');
    expect(log.closedSegments()).toEqual(closed.slice(1));
    expect(readdirSync(dir)).not.toContain(closed[0]?.split('/').at(-1));
    await log.close();
  });

  it('keeps appending while segments are rotated away under it, losing nothing', async () => {
    // A rotation closes the file handle: appends arriving meanwhile used to write to the closed
    // handle (EBADF), which the server answered with 500s under load.
    const log = await EventLog.open(dir);
    const appends: Promise<void>[] = [];
    let stop = false;
    let rotations = 0;
    const rotator = (async () => {
      while (!stop) {
        await log.rotate();
        rotations++;
        await new Promise((r) => setTimeout(r, 1));
      }
    })();
    let n = 0;
    while (rotations < 20 && n < 100_000) {
      appends.push(log.append([`{"i":${n++}}`]));
      await new Promise((r) => setImmediate(r));
    }
    stop = true;
    await Promise.all([...appends, rotator]);
    expect(rotations).toBe(20);
    const closed = await log.rotate();
    const seen = linesOf(closed).map((l) => (JSON.parse(l) as { i: number }).i);
    expect(seen.sort((a, b) => a - b)).toEqual(Array.from({ length: n }, (_, i) => i));
    await log.close();
    await expect(log.append(['{"late":1}'])).rejects.toThrow(/closed/);
  });

  it('acknowledges nothing of a batch the disk took only part of, and keeps the segment whole', async () => {
    // A 1 MiB file-size limit makes the write of a 1.5 MB batch stop short (EFBIG).
    const child = spawn(
      'bash',
      [
        '-c',
        `ulimit -f 1024 && exec "${process.execPath}" --import tsx "$0" "$1"`,
        resolve('test/helpers/short-write-child.ts'),
        dir,
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let out = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
    });
    await new Promise((r) => child.on('close', r));
    const result = JSON.parse(out) as { first: string; second: string };
    expect(result.first).toMatch(/^failed: .*could not make the events durable/);
    expect(result.second).toBe('ok');
    const segments = readdirSync(dir).filter((n) => n.endsWith('.ndjson'));
    expect(linesOf(segments.map((n) => join(dir, n)))).toEqual(['{"small":1}']);
  });

  it('at reopen lists the earlier segments for loading and cuts a torn last line', async () => {
    const log = await EventLog.open(dir);
    await log.append(['{"ok":1}']);
    await log.close();
    const [first] = readdirSync(dir);
    appendFileSync(join(dir, first ?? ''), '{"torn":'); // a write cut short by a crash
    const again = await EventLog.open(dir);
    expect(again.closedSegments().map((p) => p.split('/').at(-1))).toEqual([first]);
    expect(readFileSync(join(dir, first ?? ''), 'utf8')).toBe('{"ok":1}\n');
    await again.append(['{"ok":2}']);
    expect(linesOf(await again.rotate())).toEqual(['{"ok":1}', '{"ok":2}']);
    await again.close();
  });

  it('loses nothing acknowledged when the writer is killed with SIGKILL', async () => {
    for (const delay of [150, 400, 900]) {
      const acked = new Set<number>();
      const child = spawn(
        process.execPath,
        ['--import', 'tsx', resolve('test/helpers/event-log-child.ts'), dir],
        { stdio: ['ignore', 'pipe', 'inherit'] },
      );
      let buffered = '';
      child.stdout.on('data', (d: Buffer) => {
        buffered += d.toString();
        const lines = buffered.split('\n');
        buffered = lines.pop() ?? '';
        for (const l of lines) if (l.startsWith('ack ')) acked.add(Number(l.slice(4)));
      });
      // Kill once it has acknowledged something, then a moment later.
      await new Promise<void>((done) => {
        const t = setInterval(() => {
          if (acked.size > 0) {
            clearInterval(t);
            setTimeout(() => {
              child.kill('SIGKILL');
              done();
            }, delay);
          }
        }, 20);
      });
      await new Promise((done) => child.on('close', done));
      const log = await EventLog.open(dir);
      const stored = new Set(
        linesOf(log.closedSegments()).map((l) => (JSON.parse(l) as { id: number }).id),
      );
      await log.close();
      const lost = [...acked].filter((id) => !stored.has(id));
      expect(acked.size).toBeGreaterThan(0);
      expect(lost).toEqual([]);
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});
