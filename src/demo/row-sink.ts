const CHUNK_BYTES = 1 << 20;
const DIGIT_0 = 48;

/** Latin-1 bytes of an ASCII string; every generated value is ASCII. */
export function ascii(text: string): Uint8Array {
  return Buffer.from(text, 'latin1');
}

/**
 * Writes CSV bytes straight into 1 MiB buffers. Building rows as strings left the generator
 * spending half its time in garbage collection; byte writes into reused layouts produce
 * almost no garbage.
 */
export class RowSink {
  private buf: Buffer = Buffer.allocUnsafe(CHUNK_BYTES);
  private pos = 0;
  private full: Buffer[] = [];

  /** Makes room for `bytes` more, moving the current buffer to the finished list if needed. */
  reserve(bytes: number): void {
    if (this.pos + bytes > this.buf.length) {
      this.finishChunk();
      if (bytes > this.buf.length) this.buf = Buffer.allocUnsafe(bytes);
    }
  }

  /** Finished chunks since the last call, ready to be written. */
  takeFull(): Buffer[] {
    const out = this.full;
    this.full = [];
    return out;
  }

  /** Everything written so far, including a partly filled chunk. */
  takeAll(): Buffer[] {
    this.finishChunk();
    return this.takeFull();
  }

  /** Callers reserve first; these never check bounds. */
  bytes(src: Uint8Array): void {
    const buf = this.buf;
    let pos = this.pos;
    // A loop beats TypedArray#set for the 1-40 byte pieces rows are made of.
    for (let i = 0; i < src.length; i++) buf[pos++] = src[i] as number;
    this.pos = pos;
  }

  byte(b: number): void {
    this.buf[this.pos++] = b;
  }

  /** Non-negative integer in decimal. */
  uint(n: number): void {
    const buf = this.buf;
    let digits = 1;
    for (let x = n; x >= 10; x = Math.floor(x / 10)) digits++;
    let pos = this.pos + digits;
    this.pos = pos;
    let x = n;
    do {
      buf[--pos] = DIGIT_0 + (x % 10);
      x = Math.floor(x / 10);
    } while (x > 0);
  }

  /** 'HH:MM:SS.mmmZ' for milliseconds since midnight. */
  timeOfDay(ms: number): void {
    const buf = this.buf;
    let pos = this.pos;
    const h = Math.floor(ms / 3_600_000);
    const m = Math.floor(ms / 60_000) % 60;
    const s = Math.floor(ms / 1000) % 60;
    const milli = ms % 1000;
    buf[pos++] = DIGIT_0 + Math.floor(h / 10);
    buf[pos++] = DIGIT_0 + (h % 10);
    buf[pos++] = 58; // ':'
    buf[pos++] = DIGIT_0 + Math.floor(m / 10);
    buf[pos++] = DIGIT_0 + (m % 10);
    buf[pos++] = 58;
    buf[pos++] = DIGIT_0 + Math.floor(s / 10);
    buf[pos++] = DIGIT_0 + (s % 10);
    buf[pos++] = 46; // '.'
    buf[pos++] = DIGIT_0 + Math.floor(milli / 100);
    buf[pos++] = DIGIT_0 + (Math.floor(milli / 10) % 10);
    buf[pos++] = DIGIT_0 + (milli % 10);
    buf[pos++] = 90; // 'Z'
    this.pos = pos;
  }

  private finishChunk(): void {
    if (this.pos > 0) this.full.push(this.buf.subarray(0, this.pos));
    this.buf = Buffer.allocUnsafe(CHUNK_BYTES);
    this.pos = 0;
  }
}
