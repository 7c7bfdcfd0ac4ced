/**
 * Run under `ulimit -f 1024` (files of at most 1 MiB): appends a batch that cannot fit, then one
 * that can, and prints what each append answered (test/collector/event-log.test.ts).
 */
import { EventLog } from '../../src/ingest/collector/event-log.js';

const log = await EventLog.open(process.argv[2] ?? '.');
const outcome = async (lines: string[]) =>
  log.append(lines).then(
    () => 'ok',
    (e: unknown) => `failed: ${String(e)}`,
  );
const big = Array.from({ length: 1500 }, (_, i) => JSON.stringify({ i, pad: 'x'.repeat(1000) }));
const first = await outcome(big);
const second = await outcome(['{"small":1}']);
await log.close();
process.stdout.write(`${JSON.stringify({ first, second })}\n`);
