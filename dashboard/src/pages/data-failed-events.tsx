import { useState } from 'preact/hooks';
import { getJson } from '../api.js';
import { Empty, Loaded, useApi } from '../components/states.js';
import { int } from '../format.js';
import type { FailedEvent, FailedEventsPage } from '../types.js';

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

export function FailedEvents() {
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
              <ReasonsTable
                page={page}
                onPick={(r) => {
                  setReason(r);
                  setOffset(0);
                }}
              />
              <FailedTable events={page.events} />
              <Pager offset={offset} total={page.total} onOffset={setOffset} />
            </>
          )
        }
      </Loaded>
    </section>
  );
}

/** How many messages each reason rejected; a reason picked filters the list to it. */
function ReasonsTable({
  page,
  onPick,
}: {
  page: FailedEventsPage;
  onPick: (reason: string) => void;
}) {
  return (
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
                onClick={() => onPick(r.reason)}
              >
                {r.reason}
              </button>
            </td>
            <td>{int(r.count)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** The rejected messages of one page, newest first. */
function FailedTable({ events }: { events: FailedEvent[] }) {
  return (
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
        {events.map((e) => (
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
  );
}

/** Previous and next pages of LIMIT messages. */
function Pager({
  offset,
  total,
  onOffset,
}: {
  offset: number;
  total: number;
  onOffset: (offset: number) => void;
}) {
  return (
    <nav class="pager" aria-label="pages of rejected messages">
      <button
        type="button"
        disabled={offset === 0}
        onClick={() => onOffset(Math.max(0, offset - LIMIT))}
      >
        Previous
      </button>
      <span>
        {int(offset + 1)}–{int(Math.min(offset + LIMIT, total))} of {int(total)}
      </span>
      <button
        type="button"
        disabled={offset + LIMIT >= total}
        onClick={() => onOffset(offset + LIMIT)}
      >
        Next
      </button>
    </nav>
  );
}
