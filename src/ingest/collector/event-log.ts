import { closeSync, fsyncSync, openSync } from 'node:fs';
import {
  type FileHandle,
  mkdir,
  open,
  readdir,
  rename,
  rm,
  stat,
  truncate,
  writeFile,
} from 'node:fs/promises';
import { basename, join } from 'node:path';

/**
 * The collector's durable, append-only log (docs/decisions/0005): NDJSON segments in one
 * directory. `append` resolves once its lines are written and fsync'd; appends that arrive while
 * a flush is running share the next one (group commit), so durability costs one fsync per burst,
 * not per request. Closed segments wait for the loader, which deletes them once loaded.
 */
export interface EventLogOptions {
  /** A segment is closed and a new one started past this size. */
  segmentBytes?: number;
}

export interface EventLogStats {
  appends: number;
  flushes: number;
  bytes: number;
}

interface Pending {
  chunk: Buffer;
  done: () => void;
  fail: (err: Error) => void;
}

const SEGMENT = /^seg-(\d{16})\.ndjson$/;

/** The log cannot take the events now (a full disk, an I/O error): answered 503, retried. */
export class LogUnavailableError extends Error {
  readonly statusCode = 503;
}
const segmentName = (seq: number) => `seg-${String(seq).padStart(16, '0')}.ndjson`;

/** Makes a directory entry (a new or removed segment) durable too. */
function fsyncDir(dir: string): void {
  const fd = openSync(dir, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** Cuts a torn last line (a write cut short by a crash, never acknowledged) off a segment. */
async function truncateTornTail(path: string): Promise<void> {
  const size = (await stat(path)).size;
  if (size === 0) return;
  const fh = await open(path, 'r');
  try {
    const window = Math.min(size, 1 << 20);
    const tail = Buffer.alloc(window);
    let end = size;
    // Walk back to the last newline, a window at a time.
    while (end > 0) {
      const from = Math.max(0, end - window);
      const { bytesRead } = await fh.read(tail, 0, end - from, from);
      const nl = tail.subarray(0, bytesRead).lastIndexOf(0x0a);
      if (nl >= 0) {
        end = from + nl + 1;
        break;
      }
      end = from;
    }
    if (end !== size) await truncate(path, end);
  } finally {
    await fh.close();
  }
}

/** At most this many buffers per writev (IOV_MAX is 1024 on Linux). */
const WRITEV_BUFFERS = 512;

/**
 * Writes the requests' chunks in order with writev, not as one concatenated copy: a burst of
 * large requests would otherwise need their size again in memory. A write may take only part of
 * what it is given (a full disk, a file-size limit): the rest is written until all of it is, or
 * the write fails.
 */
async function writeAll(handle: FileHandle, chunks: readonly Buffer[]): Promise<void> {
  let pending = chunks.filter((c) => c.length > 0);
  while (pending.length > 0) {
    const some = pending.slice(0, WRITEV_BUFFERS);
    let { bytesWritten } = await handle.writev(some);
    if (bytesWritten <= 0) throw new Error('the disk took no more bytes');
    const rest = pending.slice(some.length);
    const left: Buffer[] = [];
    for (const c of some) {
      if (bytesWritten >= c.length) bytesWritten -= c.length;
      else {
        left.push(bytesWritten > 0 ? c.subarray(bytesWritten) : c);
        bytesWritten = 0;
      }
    }
    pending = [...left, ...rest];
  }
}

export class EventLog {
  private pending: Pending[] = [];
  private rotations: Array<{ done: (closed: string[]) => void; fail: (err: Error) => void }> = [];
  private flushing: Promise<void> | null = null;
  private written = 0;
  private closedList: string[];
  private closed = false;
  readonly stats: EventLogStats = { appends: 0, flushes: 0, bytes: 0 };

  private constructor(
    readonly dir: string,
    private seq: number,
    private handle: FileHandle,
    closedSegments: string[],
    private readonly segmentBytes: number,
  ) {
    this.closedList = closedSegments;
  }

  /**
   * Opens the log in `dir`. Segments left by an earlier run are closed (their torn tails cut)
   * and listed by closedSegments() for loading; appends go to a new segment.
   */
  static async open(dir: string, options: EventLogOptions = {}): Promise<EventLog> {
    await mkdir(dir, { recursive: true });
    const names = (await readdir(dir)).filter((n) => SEGMENT.test(n)).sort();
    for (const n of names) await truncateTornTail(join(dir, n));
    const last = names.length ? Number(SEGMENT.exec(names.at(-1) ?? '')?.[1] ?? 0) : 0;
    const seq = last + 1;
    const handle = await open(join(dir, segmentName(seq)), 'a');
    fsyncDir(dir);
    return new EventLog(
      dir,
      seq,
      handle,
      names.map((n) => join(dir, n)),
      options.segmentBytes ?? 64 * 1024 * 1024,
    );
  }

  /** Appends lines (each one JSON record, no newline); resolves when they are durable. */
  append(lines: readonly string[]): Promise<void> {
    if (this.closed) return Promise.reject(new Error('the event log is closed'));
    if (lines.length === 0) return Promise.resolve();
    // Written straight into one Buffer of the exact size: joining the lines first would make a
    // string as large again (twice as large when one line has a character past U+00FF).
    let size = 0;
    for (const l of lines) size += Buffer.byteLength(l, 'utf8') + 1;
    const chunk = Buffer.allocUnsafe(size);
    let at = 0;
    for (const l of lines) {
      at += chunk.write(l, at, 'utf8');
      chunk[at++] = 0x0a;
    }
    this.stats.appends++;
    return new Promise((done, fail) => {
      this.pending.push({ chunk, done, fail });
      this.kick();
    });
  }

  /**
   * Starts the next step of the one chain that touches the file: a rotation when one is asked
   * for, else a flush. Nothing else writes or closes the handle, so no write can meet a handle
   * being closed, and a rotation never waits for the appends to pause (under steady load they
   * do not).
   */
  private kick(): void {
    if (this.flushing) return;
    const step =
      this.rotations.length > 0
        ? this.rotateQueued()
        : this.pending.length > 0
          ? this.flush()
          : null;
    if (!step) return;
    this.flushing = step.finally(() => {
      this.flushing = null;
      this.kick();
    });
  }

  private async flush(): Promise<void> {
    const batch = this.pending;
    this.pending = [];
    let length = 0;
    for (const p of batch) length += p.chunk.length;
    try {
      if (this.failure) throw this.failure;
      await writeAll(
        this.handle,
        batch.map((p) => p.chunk),
      );
      await this.handle.datasync();
    } catch (err) {
      // Nothing of this batch is acknowledged: cut the segment back to its last durable byte, so
      // the next batch starts on a whole line. If even that fails, the log stops taking appends
      // (and /readyz says so) rather than write after a torn line.
      if (!this.failure) {
        await this.handle.truncate(this.written).catch((e: unknown) => {
          this.failure = new LogUnavailableError(`the event log cannot be repaired: ${String(e)}`);
        });
      }
      const e = new LogUnavailableError(`could not make the events durable: ${String(err)}`);
      for (const p of batch) p.fail(e);
      return;
    }
    this.written += length;
    this.stats.flushes++;
    this.stats.bytes += length;
    // Rotation before the answer, so that what a caller sees afterwards is settled. The batch is
    // durable whether or not it works: a failed rotation is tried again at the next flush.
    if (this.written >= this.segmentBytes) await this.rotateNow().catch(() => undefined);
    for (const p of batch) p.done();
  }

  /** The next segment is opened before the current one is closed: a failed open changes nothing. */
  private async rotateNow(): Promise<void> {
    const next = await open(join(this.dir, segmentName(this.seq + 1)), 'a');
    const current = this.handle;
    this.closedList.push(join(this.dir, segmentName(this.seq)));
    this.seq++;
    this.written = 0;
    this.handle = next;
    await current.close();
    fsyncDir(this.dir);
  }

  /** Set when the log cannot take appends safely any more; the server is then not ready. */
  private failure: LogUnavailableError | null = null;

  get healthy(): boolean {
    return this.failure === null;
  }

  /** Waits for every append (and rotation) so far to be done. */
  async sync(): Promise<void> {
    while (this.flushing || this.pending.length > 0 || this.rotations.length > 0) {
      this.kick();
      await this.flushing;
    }
  }

  /**
   * Closes the current segment (when it holds anything) so the loader can take it; returns the
   * segments waiting for the loader, oldest first. Every append acknowledged before the call is
   * in a closed segment; appends still waiting for their flush go to the new one.
   */
  rotate(): Promise<string[]> {
    return new Promise((done, fail) => {
      this.rotations.push({ done, fail });
      this.kick();
    });
  }

  /** A rotation asked for: done after the running flush, before the next one. */
  private async rotateQueued(): Promise<void> {
    const waiters = this.rotations;
    this.rotations = [];
    try {
      if (this.written > 0) await this.rotateNow();
      for (const w of waiters) w.done([...this.closedList]);
    } catch (err) {
      for (const w of waiters) w.fail(err instanceof Error ? err : new Error(String(err)));
    }
  }

  /**
   * Whether the log's directory takes durable writes: a small file written, fsync'd and removed.
   * Apart from the append chain, so a readiness check never waits behind the traffic.
   */
  async probe(): Promise<void> {
    if (this.failure) throw this.failure;
    const path = join(this.dir, '.probe');
    const fh = await open(path, 'w');
    try {
      await fh.write(String(Date.now()));
      await fh.datasync();
    } finally {
      await fh.close();
    }
    await rm(path, { force: true });
  }

  /** Segments closed and waiting for the loader, oldest first. */
  closedSegments(): string[] {
    return [...this.closedList];
  }

  /** A segment that cannot be loaded: moved to `quarantine/`, out of the loader's way. */
  async quarantine(path: string): Promise<string> {
    const dir = join(this.dir, 'quarantine');
    await mkdir(dir, { recursive: true });
    // Segment numbers start again in an emptied log directory: the time keeps names apart.
    const target = join(dir, `${Date.now()}-${basename(path)}`);
    await rename(path, target);
    this.closedList = this.closedList.filter((p) => p !== path);
    fsyncDir(this.dir);
    return target;
  }

  /**
   * Rewrites a segment as `lines` (what the loader can take), keeping the lines taken out, each
   * with its reason, in a file in quarantine/ for a person; returns that file.
   */
  async rewriteSegment(
    path: string,
    lines: readonly string[],
    setAside: readonly { index: number; reason: string; line: string }[],
  ): Promise<string> {
    const dir = join(this.dir, 'quarantine');
    await mkdir(dir, { recursive: true });
    const keptIn = join(dir, `${Date.now()}-${basename(path)}.refused`);
    const kept = setAside.map((r) =>
      JSON.stringify({ line_index: r.index, reason: r.reason, line: r.line }),
    );
    await writeFile(keptIn, `${kept.join('\n')}\n`, { flush: true });
    const tmp = `${path}.rewrite`;
    await writeFile(tmp, lines.length > 0 ? `${lines.join('\n')}\n` : '', { flush: true });
    await rename(tmp, path);
    fsyncDir(this.dir);
    return keptIn;
  }

  /** The loader has stored a segment: it is deleted for good. */
  async markLoaded(path: string): Promise<void> {
    this.closedList = this.closedList.filter((p) => p !== path);
    await rm(path, { force: true });
    fsyncDir(this.dir);
  }

  async close(): Promise<void> {
    // Closed first: no append can start a flush after sync() has drained the chain.
    this.closed = true;
    await this.sync();
    await this.handle.close();
    // An empty current segment (a clean stop after everything was loaded) would be listed for
    // loading at the next start; one that holds lines stays, for that start to load.
    const current = join(this.dir, segmentName(this.seq));
    const size = await stat(current).then(
      (st) => st.size,
      () => -1,
    );
    if (this.written === 0 && size === 0) {
      await rm(current, { force: true });
      fsyncDir(this.dir);
    }
  }
}
