import { FailedEvents } from './data-failed-events.js';
import { SnapshotsPanel } from './data-snapshots.js';

/** The data behind the reports: snapshots to store or backfill, and what was rejected. */
export function Data() {
  return (
    <section>
      <h1>Data</h1>
      <div class="grid">
        <SnapshotsPanel />
        <FailedEvents />
      </div>
    </section>
  );
}
