import { useState } from 'preact/hooks';
import { getJson, sendJson } from '../api.js';
import { Empty, ErrorBox, Loaded, useApi } from '../components/states.js';
import { int } from '../format.js';
import type {
  FailedEvent,
  FailedEventsPage,
  PeriodKind,
  SnapshotRun,
  SnapshotStatus,
} from '../types.js';

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

function SnapshotsPanel() {
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

const LIMIT = 25;
const PREVIEW = 120;

const when = (iso: string) =>
  new Date(iso).toLocaleString('en-GB', { dateStyle: 'medium', timeStyle: 'short' });

function sourceText(e: FailedEvent): string {
  const name = e.source.startsWith('file:') ? `file ${e.source.slice(5)}` : e.source;
  return e.source_line === null ? name : `${name}, line ${int(e.source_line)}`;
}

function Payload({ e }: { e: FailedEvent }) {
  if (e.raw === null) return <span class="muted">not kept</span>;
  if (e.raw.length <= PREVIEW && !e.raw_truncated) return <code class="payload">{e.raw}</code>;
  return (
    <details>
      <summary>
        <code class="payload">{e.raw.slice(0, PREVIEW)}…</code>
      </summary>
      <pre class="payload">
        {e.raw}
        {e.raw_truncated ? '… (cut here: the first 10,000 characters)' : ''}
      </pre>
    </details>
  );
}

function FailedEvents() {
  const [reason, setReason] = useState('');
  const [source, setSource] = useState('');
  const [resolved, setResolved] = useState(false);
  const [offset, setOffset] = useState(0);
  const params = new URLSearchParams({ limit: String(LIMIT), offset: String(offset) });
  if (reason) params.set('reason', reason);
  if (source) params.set('source', source);
  if (resolved) params.set('include_resolved', 'true');
  const state = useApi(
    () => getJson<FailedEventsPage>(`/failed-events?${params}`),
    [params.toString()],
  );
  const filtered = reason !== '' || source !== '' || resolved;
  const clear = () => {
    setReason('');
    setSource('');
    setResolved(false);
    setOffset(0);
  };
  return (
    <section class="card wide" aria-labelledby="failed-title">
      <h2 id="failed-title">Rejected messages</h2>
      <p class="muted">
        Messages the collector refused and rows an import could not read, kept with the reason. Fix
        the sender (or the limit in the config) and new ones are stored.
      </p>
      <div class="toolbar">
        <label>
          Reason contains
          <input
            type="search"
            value={reason}
            placeholder="e.g. event name"
            onInput={(e) => {
              setReason((e.target as HTMLInputElement).value);
              setOffset(0);
            }}
          />
        </label>
        <label>
          Source
          <select
            value={source}
            onChange={(e) => {
              setSource((e.target as HTMLSelectElement).value);
              setOffset(0);
            }}
          >
            <option value="">every source</option>
            <option value="segment">Segment</option>
            <option value="posthog">PostHog</option>
            <option value="file:">imported files</option>
          </select>
        </label>
        <label class="check">
          <input
            type="checkbox"
            checked={resolved}
            onChange={(e) => {
              setResolved((e.target as HTMLInputElement).checked);
              setOffset(0);
            }}
          />
          include re-submitted
        </label>
      </div>
      <Loaded state={state} what="rejected messages">
        {(page) =>
          page.total === 0 ? (
            filtered ? (
              <Empty>
                No rejected message matches these filters.{' '}
                <button type="button" class="link" onClick={clear}>
                  Clear the filters
                </button>
              </Empty>
            ) : (
              <Empty>
                Nothing rejected: every message received and every row imported was stored.
              </Empty>
            )
          ) : (
            <>
              <table class="reasons" data-testid="failed-reasons">
                <caption>{int(page.total)} rejected, by reason</caption>
                <thead>
                  <tr>
                    <th scope="col">reason</th>
                    <th scope="col">messages</th>
                  </tr>
                </thead>
                <tbody>
                  {page.by_reason.map((r) => (
                    <tr key={r.reason}>
                      <td>
                        <button
                          type="button"
                          class="link"
                          title="Show only this reason"
                          onClick={() => {
                            setReason(r.reason);
                            setOffset(0);
                          }}
                        >
                          {r.reason}
                        </button>
                      </td>
                      <td>{int(r.count)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
              <table class="stacked" data-testid="failed-table">
                <thead>
                  <tr>
                    <th scope="col">when</th>
                    <th scope="col">reason</th>
                    <th scope="col">source</th>
                    <th scope="col">payload</th>
                  </tr>
                </thead>
                <tbody>
                  {page.events.map((e) => (
                    <tr key={e.failed_id}>
                      <td data-label="when">
                        <time dateTime={e.failed_at} title={e.failed_at}>
                          {when(e.failed_at)}
                        </time>
                        {e.resolved_at && <span class="badge chance">re-submitted</span>}
                      </td>
                      <td data-label="reason">{e.reason}</td>
                      <td data-label="source">{sourceText(e)}</td>
                      <td data-label="payload">
                        <Payload e={e} />
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
              <nav class="pager" aria-label="pages of rejected messages">
                <button
                  type="button"
                  disabled={offset === 0}
                  onClick={() => setOffset(Math.max(0, offset - LIMIT))}
                >
                  Previous
                </button>
                <span>
                  {int(offset + 1)}–{int(Math.min(offset + LIMIT, page.total))} of {int(page.total)}
                </span>
                <button
                  type="button"
                  disabled={offset + LIMIT >= page.total}
                  onClick={() => setOffset(offset + LIMIT)}
                >
                  Next
                </button>
              </nav>
            </>
          )
        }
      </Loaded>
    </section>
  );
}

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
