import type { IncomingMessage } from 'node:http';
import type { Readable } from 'node:stream';

/**
 * A request body refused before or while it was read. `bytes` is how much the client declared
 * (content-length) or how much had come when the limit was passed; `read` says whether any of it
 * was read.
 */
export class BodyRefusedError extends Error {
  constructor(
    readonly statusCode: 400 | 413 | 429,
    message: string,
    readonly bytes: number,
    readonly limit: number,
  ) {
    super(message);
  }
}

export const tooLarge = (bytes: number, limit: number, declared: boolean) =>
  new BodyRefusedError(
    413,
    declared
      ? `body of ${bytes} bytes, the limit is ${limit}`
      : `body larger than the limit of ${limit} bytes (more than ${limit} bytes received)`,
    bytes,
    limit,
  );

export const BUSY_RETRY_SECONDS = 1;
export const busy = (bytes: number, limit: number) =>
  new BodyRefusedError(
    429,
    `too many request bodies being read at once: retry after ${BUSY_RETRY_SECONDS} second`,
    bytes,
    limit,
  );

/**
 * The bytes of ingest request bodies in memory at once: declared or received on the wire, plus
 * what gzip inflates to. A request holds its share from before its body is read until its answer
 * is sent, so the share also stands for the parsed messages and log lines made from the body,
 * which are a few times its size. Past the budget a request is answered 429 before its body is
 * read; a request alone in flight is let through whatever its size, so that a body within the
 * route's limit but over a small budget is not refused for ever (memory then stays within the
 * larger of the budget and the route's limit).
 */
export class BodyBudget {
  private used = 0;

  constructor(readonly limit: number) {}

  /** Bytes held by requests in flight now. */
  get inFlight(): number {
    return this.used;
  }

  /** An empty share for one request; released once its answer is sent (or the connection ends). */
  open(): BodyShare {
    return new BodyShare(this);
  }

  /** @internal: the share's side of the accounting. */
  tryTake(n: number, held: number): boolean {
    if (this.used + n > this.limit && this.used > held) return false;
    this.used += n;
    return true;
  }

  /** @internal */
  give(n: number): void {
    this.used = Math.max(0, this.used - n);
  }
}

/** One request's part of the in-flight budget. */
export class BodyShare {
  private held = 0;
  private released = false;

  constructor(private readonly budget: BodyBudget) {}

  /** Takes `n` more bytes; false (nothing taken) when the budget is spent by others. */
  take(n: number): boolean {
    if (this.released) return true;
    if (!this.budget.tryTake(n, this.held)) return false;
    this.held += n;
    return true;
  }

  release(): void {
    if (this.released) return;
    this.released = true;
    this.budget.give(this.held);
    this.held = 0;
  }
}

const shares = new WeakMap<IncomingMessage, BodyShare>();

export function attachShare(req: IncomingMessage, share: BodyShare): void {
  shares.set(req, share);
}

/** The request's share of the budget, when it is an ingest request that holds one. */
export function shareOf(req: { raw: IncomingMessage }): BodyShare | undefined {
  return shares.get(req.raw);
}

/**
 * Reads the rest of a request's body and drops it, so that an answer sent before the body was
 * read reaches the client (see readBody); resolves at its end, or when the connection ends (the
 * request timeout bounds how long a client can keep sending).
 */
export function drain(req: IncomingMessage): Promise<void> {
  if (req.complete || req.destroyed) return Promise.resolve();
  return new Promise((done) => {
    const end = () => {
      req.off('end', end);
      req.off('close', end);
      req.off('error', end);
      done();
    };
    req.on('end', end);
    req.on('close', end);
    req.on('error', end);
    req.resume();
  });
}

/** The content-length header as a number, or null when there is none (a chunked body). */
export function declaredLength(req: IncomingMessage): number | null {
  const header = req.headers['content-length'];
  if (header === undefined) return null;
  const n = Number(header);
  return Number.isSafeInteger(n) && n >= 0 ? n : null;
}

/**
 * Reads a body into one Buffer. With a content-length (what every SDK sends) the Buffer is
 * allocated once at that size and filled in place, so a body costs its size, not twice it (a
 * list of chunks and their concatenation); the caller has checked the declared size against the
 * limit and the budget. Without one, the chunks are counted against the route's limit and the
 * share as they come, and refused the moment either is passed.
 */
export function readBody(
  stream: Readable,
  options: { declared: number | null; limit: number; share?: BodyShare | undefined },
): Promise<Buffer> {
  const { declared, limit, share } = options;
  if (declared !== null && declared > limit) {
    return Promise.reject(tooLarge(declared, limit, true));
  }
  return new Promise((resolve, reject) => {
    const whole = declared === null ? null : Buffer.allocUnsafe(declared);
    const chunks: Buffer[] = [];
    let size = 0;
    let settled = false;
    const finish = (err: Error | null, body?: Buffer) => {
      if (settled) return;
      settled = true;
      stream.off('data', onData);
      stream.off('end', onEnd);
      stream.off('error', onError);
      stream.off('close', onClose);
      if (err) reject(err);
      else resolve(body ?? Buffer.alloc(0));
    };
    // Once refused, the rest of the body is read and dropped before the answer: a server that
    // answers and closes while the client is still sending resets the connection, and the client
    // may then never see the answer (seen with 48 concurrent 18 MB bodies: EPIPE instead of 429).
    let refusal: Error | null = null;
    const refuse = (err: Error) => {
      refusal = err;
      chunks.length = 0;
      // Nothing more is kept of this body: its bytes are others' to use while it drains.
      share?.release();
    };
    const onData = (chunk: Buffer | string) => {
      if (refusal) return;
      const c = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
      if (whole) {
        if (size + c.length > whole.length) {
          refuse(new BodyRefusedError(400, 'body longer than its content-length', size, limit));
          return;
        }
        c.copy(whole, size);
        size += c.length;
        return;
      }
      size += c.length;
      if (size > limit) refuse(tooLarge(size, limit, false));
      else if (share && !share.take(c.length)) refuse(busy(size, limit));
      else chunks.push(c);
    };
    const onEnd = () => {
      if (refusal) finish(refusal);
      else if (whole && size !== whole.length) {
        finish(new BodyRefusedError(400, 'body shorter than its content-length', size, limit));
      } else finish(null, whole ?? (chunks.length === 1 ? chunks[0] : Buffer.concat(chunks)));
    };
    const onError = (err: Error) => {
      const e = err as Error & { statusCode?: number };
      if (!(typeof e.statusCode === 'number' && e.statusCode >= 400)) e.statusCode = 400;
      finish(e);
    };
    // A client gone before the end: nothing to answer, but the promise must not hang.
    const onClose = () => finish(new BodyRefusedError(400, 'the client went away', size, limit));
    stream.on('data', onData);
    stream.on('end', onEnd);
    stream.on('error', onError);
    stream.on('close', onClose);
    stream.resume();
  });
}

/**
 * The request's body bytes, taken out of the request: once they are decoded nothing refers to
 * them, so a large body is not held beside its parsed form for the rest of the request.
 */
export function takeBody(req: { body: unknown }): Buffer {
  const body = req.body;
  req.body = undefined;
  return Buffer.isBuffer(body) ? body : Buffer.alloc(0);
}
