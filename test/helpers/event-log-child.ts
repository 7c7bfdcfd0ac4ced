/**
 * A writer for the event log's crash test: appends numbered records from several concurrent
 * "requests" and prints `ack N` once record N is durable, until it is killed.
 */
import { EventLog } from '../../src/ingest/collector/event-log.js';

const dir = process.argv[2];
if (!dir) throw new Error('usage: event-log-child DIR');
const log = await EventLog.open(dir, { segmentBytes: 64 * 1024 });
let next = 0;
const pad = 'x'.repeat(200);
async function client(): Promise<void> {
  for (;;) {
    const ids = Array.from({ length: 1 + (next % 7) }, () => next++);
    await log.append(ids.map((id) => JSON.stringify({ id, pad })));
    process.stdout.write(ids.map((id) => `ack ${id}\n`).join(''));
  }
}
await Promise.all(Array.from({ length: 8 }, client));
