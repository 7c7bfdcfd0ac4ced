import { useState } from 'preact/hooks';
import { getJson, sendJson } from '../api.js';
import { Empty, ErrorBox, Loaded, useApi } from '../components/states.js';
import { int } from '../format.js';
import type { PeriodKind, SnapshotRun, SnapshotStatus } from '../types.js';

const DAY_MS = 86_400_000;
const utc = (day: string) => new Date(`${day}T00:00:00Z`);
const addDays = (day: string, n: number) =>
  new Date(utc(day).getTime() + n * DAY_MS).toISOString().slice(0, 10);

const laterDay = (a: string, b: string): string => (a.localeCompare(b) > 0 ? a : b);

/** A calendar day as people write it (days are the project's local days, not instants). */
const dayText = (day: string) =>
  utc(day).toLocaleDateString('en-GB', {
    day: 'numeric',
    month: 'short',
    year: 'numeric',
    timeZone: 'UTC',
  });

function periodText(kind: PeriodKind, start: string): string {
  if (kind === 'week') return `the week of ${dayText(start)}`;
  if (kind === 'month')
    return utc(start).toLocaleDateString('en-GB', {
      month: 'long',
      year: 'numeric',
      timeZone: 'UTC',
    });
  return dayText(start);
}

const periods = (n: number, kind: PeriodKind) => `${int(n)} ${kind}${n === 1 ? '' : 's'}`;

/** How many periods a backfill from `from` to `last` stores (as the server counts them). */
function periodCount(from: string, last: string, kind: PeriodKind): number {
  if (from > last) return 0;
  if (kind === 'day') return Math.round((utc(last).getTime() - utc(from).getTime()) / DAY_MS) + 1;
  if (kind === 'month') {
    const m = (d: string) => Number(d.slice(0, 4)) * 12 + Number(d.slice(5, 7));
    return m(last) - m(from) + 1;
  }
  const monday = (d: string) => addDays(d, -((utc(d).getUTCDay() + 6) % 7));
  return Math.round((utc(monday(last)).getTime() - utc(monday(from)).getTime()) / (7 * DAY_MS)) + 1;
}

type Job =
  | { kind: 'running'; what: string }
  | { kind: 'done'; run: SnapshotRun }
  | { kind: 'failed'; message: string };

export function SnapshotsPanel() {
  const [period, setPeriod] = useState<PeriodKind | null>(null);
  const [version, setVersion] = useState(0);
  const [from, setFrom] = useState<string | null>(null);
  const [job, setJob] = useState<Job | null>(null);
  const status = useApi(
    () => getJson<SnapshotStatus>(period ? `/snapshots?period=${period}` : '/snapshots'),
    [period, version],
  );
  const store = (body: { from?: string; period: PeriodKind }, what: string) => {
    setJob({ kind: 'running', what });
    sendJson<SnapshotRun>('POST', '/snapshots', body).then(
      (run) => {
        setJob({ kind: 'done', run });
        setVersion((v) => v + 1);
      },
      (e: unknown) =>
        setJob({ kind: 'failed', message: e instanceof Error ? e.message : String(e) }),
    );
  };
  const running = job?.kind === 'running';
  return (
    <section class="card wide" aria-labelledby="snapshots-title">
      <h2 id="snapshots-title">Snapshots</h2>
      <Loaded state={status} what="snapshots">
        {(s) => {
          if (!s.first_day || !s.last_day) {
            return (
              <Empty>
                No events yet: snapshots are taken of stored events. Send events to the collector or
                import them, then come back here.
              </Empty>
            );
          }
          const kind = s.period;
          const lastDay = s.last_day;
          // A quarter back by default, or from the first day when the data is younger.
          const quarter = addDays(s.last_day, -90);
          const start = from ?? laterDay(quarter, s.first_day);
          const count = periodCount(start, s.last_day, kind);
          const tooMany = count > s.max_periods;
          const outside = start < s.first_day || start > s.last_day;
          return (
            <>
              {s.stored_periods === 0 || !s.last_period_start ? (
                <Empty>
                  No {kind} snapshots yet for “{s.definition}”. A snapshot stores who was a power
                  user in each {kind}, so the overview can show power users over time and accounts
                  can compare {kind}s. “Bring snapshots up to date” stores the current {kind}.
                  Backfill from an earlier day to see the history.
                </Empty>
              ) : (
                <p data-testid="snapshots-status">
                  <strong>{periods(s.stored_periods, kind)}</strong> stored for “{s.definition}”,{' '}
                  {s.stored_periods > 1 && s.first_period_start
                    ? `from ${periodText(kind, s.first_period_start)} to ${periodText(kind, s.last_period_start)}`
                    : periodText(kind, s.last_period_start)}{' '}
                  (the last scored as of {dayText(s.last_as_of ?? s.last_period_start)}).
                </p>
              )}
              <p class="muted">
                Events from {dayText(s.first_day)} to {dayText(s.last_day)}.
              </p>
              <div class="toolbar">
                <label>
                  Period
                  <select
                    value={kind}
                    disabled={running}
                    onChange={(e) => {
                      setPeriod((e.target as HTMLSelectElement).value as PeriodKind);
                      setJob(null);
                    }}
                  >
                    <option value="day">days</option>
                    <option value="week">weeks</option>
                    <option value="month">months</option>
                  </select>
                </label>
                <button
                  type="button"
                  disabled={running}
                  onClick={() =>
                    store(
                      { period: kind },
                      s.last_period_start
                        ? `Storing the ${kind}s since ${periodText(kind, s.last_period_start)}…`
                        : `Storing ${periodText(kind, lastDay)}…`,
                    )
                  }
                >
                  Bring snapshots up to date
                </button>
              </div>
              {/* The server's refusal says which days can be used; the browser's would not. */}
              <form
                class="toolbar"
                noValidate
                onSubmit={(e) => {
                  e.preventDefault();
                  store(
                    { from: start, period: kind },
                    `Backfilling ${periods(count, kind)} from ${dayText(start)}…`,
                  );
                }}
              >
                <label>
                  Backfill from
                  <input
                    type="date"
                    required
                    min={s.first_day}
                    max={s.last_day}
                    value={start}
                    disabled={running}
                    onInput={(e) => setFrom((e.target as HTMLInputElement).value || null)}
                  />
                </label>
                <button type="submit" disabled={running || tooMany || count === 0}>
                  Backfill
                </button>
                <span class={tooMany || outside ? 'state error' : 'muted'}>
                  {outside
                    ? `Pick a day from ${dayText(s.first_day)} to ${dayText(s.last_day)}.`
                    : tooMany
                      ? `${periods(count, kind)} is more than ${int(s.max_periods)} at once: pick a later day or a longer period.`
                      : `${periods(count, kind)} to store, replacing those already stored.`}
                </span>
              </form>
            </>
          );
        }}
      </Loaded>
      <div role="status" aria-live="polite">
        {job?.kind === 'running' && (
          <p class="state">
            {job.what} Each {status.data?.period ?? 'period'} is a full scoring: this can take a
            minute.
          </p>
        )}
        {job?.kind === 'done' && <RunResult run={job.run} />}
      </div>
      {job?.kind === 'failed' && <ErrorBox message={`Nothing was stored: ${job.message}`} />}
    </section>
  );
}

function RunResult({ run }: { run: SnapshotRun }) {
  const last = run.periods.at(-1);
  return (
    <div data-testid="snapshots-result">
      <p>
        Stored {periods(run.periods.length, run.period)} for “{run.definition}”
        {last &&
          `; in ${periodText(run.period, last.period_start)}, ${int(last.power_users)} power users of ${int(last.users)} active`}
        . <a href="#/overview">See power users over time</a>
      </p>
      {run.periods.length > 1 && (
        <details>
          <summary>The {run.period}s stored</summary>
          <div class="table-wrap">
            <table>
              <thead>
                <tr>
                  <th scope="col">{run.period}</th>
                  <th scope="col">scored as of</th>
                  <th scope="col">active users</th>
                  <th scope="col">power users</th>
                </tr>
              </thead>
              <tbody>
                {run.periods.map((p) => (
                  <tr key={p.period_start}>
                    <td>{periodText(run.period, p.period_start)}</td>
                    <td>{dayText(p.as_of)}</td>
                    <td>{int(p.users)}</td>
                    <td>{int(p.power_users)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </details>
      )}
    </div>
  );
}
