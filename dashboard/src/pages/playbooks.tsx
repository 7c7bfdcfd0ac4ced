import { useState } from 'preact/hooks';
import { getJson, sendJson } from '../api.js';
import { Empty, Loaded, useApi } from '../components/states.js';
import { int } from '../format.js';
import type {
  Delivery,
  DeliveryLog,
  PlaybookListing,
  PlaybookPreview,
  PlaybooksAnswer,
  RetryAnswer,
} from '../types.js';

/** What the empty state shows to start from (docs/playbooks.md has every trigger and filter). */
const EXAMPLE = `playbooks:
  champion_at_risk:
    description: Tell the CSM when a heavy user starts fading.
    trigger: { on: entered_state, state: at_risk }
    filters:
      segments: [advocate, optimizer]
      score: { min: 70 }
    actions:
      - webhook:
          url_env: CRM_WEBHOOK_URL
          secret_env: CRM_WEBHOOK_SECRET
    limits: { max_per_run: 200, cooldown_days: 14 }`;

/** Whom an occurrence is about, linked to its page: a user, an account, or the project. */
function Subject({ type, id }: { type: string; id: string }) {
  if (type === 'project') return <a href="#/overview">the project</a>;
  const page = type === 'account' ? 'accounts' : 'users';
  return (
    <a href={`#/${page}/${encodeURIComponent(id)}`}>{type === 'account' ? `account ${id}` : id}</a>
  );
}

const when = (iso: string) =>
  new Date(iso).toLocaleString('en-GB', { dateStyle: 'medium', timeStyle: 'short' });

function filtersText(f: PlaybookListing['filters']): string {
  const parts: string[] = [];
  if (f.segments && f.segments.length > 0) parts.push(`in segment ${f.segments.join(' or ')}`);
  if (f.score) parts.push(`score ${f.score.min ?? 0} to ${f.score.max ?? 100}`);
  for (const [trait, values] of Object.entries(f.account_traits ?? {})) {
    parts.push(`account ${trait} ${values.map(String).join(' or ')}`);
  }
  return parts.length > 0 ? parts.join('; ') : 'no filter: everyone the trigger fires for';
}

function SendsTo({ p }: { p: PlaybookListing }) {
  return (
    <ul class="plain">
      {p.actions.map((a, i) => {
        const urlVar = a.env.find((e) => e.key === 'url_env');
        const target = a.target_host ?? (urlVar ? `$${urlVar.name}` : 'nowhere');
        return (
          <li key={i}>
            {a.channel} to <strong>{target}</strong>
            {a.env.map((e) => (
              <div key={e.key} class="env">
                <code>{e.name}</code>
                {!e.is_set && <span class="badge risk">not set</span>}
              </div>
            ))}
          </li>
        );
      })}
    </ul>
  );
}

function PlaybookTable({
  playbooks,
  onPreview,
}: {
  playbooks: PlaybookListing[];
  onPreview: (name: string) => void;
}) {
  return (
    <div class="table-wrap">
      <table class="stacked" data-testid="playbooks-table">
        <thead>
          <tr>
            <th scope="col">playbook</th>
            <th scope="col">fires when…</th>
            <th scope="col">filters</th>
            <th scope="col">sends to</th>
            <th scope="col">limits</th>
            <th scope="col">deliveries</th>
            <th scope="col">
              <span class="visually-hidden">preview</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {playbooks.map((p) => (
            <tr key={p.name}>
              <td data-label="playbook">
                <strong>{p.name}</strong>
                {!p.enabled && <span class="badge">off</span>}
                {p.description && <div class="muted">{p.description}</div>}
              </td>
              <td data-label="fires when…">{p.trigger_text}</td>
              <td data-label="filters">{filtersText(p.filters)}</td>
              <td data-label="sends to">
                <SendsTo p={p} />
              </td>
              <td data-label="limits">
                at most {int(p.limits.max_per_run)} a run
                {p.limits.cooldown_days > 0
                  ? `; once per user in ${p.limits.cooldown_days} days`
                  : ''}
              </td>
              <td data-label="deliveries">
                {p.deliveries === null
                  ? 'n/a on this engine'
                  : `${int(p.deliveries.sent)} sent, ${int(p.deliveries.queued)} queued, ${int(p.deliveries.dead)} dead`}
              </td>
              <td>
                <button
                  type="button"
                  aria-label={`Preview ${p.name}`}
                  onClick={() => onPreview(p.name)}
                >
                  Preview
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function Preview({ name, onClose }: { name: string; onClose: () => void }) {
  const state = useApi(
    () => getJson<PlaybookPreview>(`/playbooks/${encodeURIComponent(name)}/preview`),
    [name],
  );
  return (
    <section class="card wide" aria-labelledby="preview-title" data-testid="preview">
      <h2 id="preview-title">Who {name} would reach now</h2>
      <p class="muted">
        Computed from the latest two snapshot periods; nothing is recorded or sent.{' '}
        <button type="button" class="link" onClick={onClose}>
          Close
        </button>
      </p>
      <Loaded state={state} what="the preview">
        {(preview) =>
          preview.people.length === 0 ? (
            <Empty>
              {name} reaches nobody now (as of {preview.as_of}): its trigger fired for no one
              between the latest two periods, or its filters kept them out.
            </Empty>
          ) : (
            <div class="table-wrap">
              <table class="stacked">
                <caption class="left">
                  {int(preview.people.length)} as of {preview.as_of},{' '}
                  {int(preview.people.filter((p) => !p.already_recorded).length)} not reached before
                </caption>
                <thead>
                  <tr>
                    <th scope="col">who</th>
                    <th scope="col">account</th>
                    <th scope="col">why</th>
                  </tr>
                </thead>
                <tbody>
                  {preview.people.map((p) => (
                    <tr key={p.occurrence_id}>
                      <td data-label="who">
                        <Subject type={p.subject_type} id={p.subject_id} />
                        {p.already_recorded && <span class="badge">reached before</span>}
                      </td>
                      <td data-label="account">{p.account_id || '—'}</td>
                      <td data-label="why">{p.explanation}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )
        }
      </Loaded>
    </section>
  );
}

const STATUS_CLASS: Record<Delivery['status'], string> = {
  sent: 'badge chance',
  queued: 'badge',
  dead: 'badge risk',
};

function Deliveries() {
  const [status, setStatus] = useState('');
  const [version, setVersion] = useState(0);
  const [note, setNote] = useState<string | null>(null);
  const params = new URLSearchParams({ limit: '100' });
  if (status) params.set('status', status);
  const state = useApi(
    () => getJson<DeliveryLog>(`/playbooks/deliveries?${params}`),
    [params.toString(), version],
  );
  const retry = (id: string) => {
    sendJson<RetryAnswer>('POST', `/playbooks/deliveries/${encodeURIComponent(id)}/retry`, {}).then(
      () => {
        setNote(`${id} queued again: the next run sends it.`);
        setVersion((v) => v + 1);
      },
      (err: unknown) => setNote(err instanceof Error ? err.message : String(err)),
    );
  };
  return (
    <section class="card wide" aria-labelledby="log-title">
      <h2 id="log-title">Delivery log</h2>
      <p class="muted">
        Every delivery, newest first: sent after a 2xx answer, retried with the same webhook-id,
        dead after a refusal or 8 attempts.
      </p>
      <div class="toolbar">
        <label>
          Status
          <select value={status} onChange={(e) => setStatus((e.target as HTMLSelectElement).value)}>
            <option value="">every status</option>
            <option value="queued">queued</option>
            <option value="sent">sent</option>
            <option value="dead">dead</option>
          </select>
        </label>
      </div>
      {note && <p class="state">{note}</p>}
      <Loaded state={state} what="the delivery log">
        {(log) =>
          log.deliveries.length === 0 ? (
            status ? (
              <Empty>No {status} deliveries.</Empty>
            ) : (
              <Empty>
                No deliveries yet. Run <code>powerlens playbooks run</code> (cron it), or let{' '}
                <code>powerlens serve</code> run the playbooks after each refresh.
              </Empty>
            )
          ) : (
            <div class="table-wrap">
              <table class="stacked" data-testid="deliveries-table">
                <thead>
                  <tr>
                    <th scope="col">queued</th>
                    <th scope="col">playbook</th>
                    <th scope="col">who</th>
                    <th scope="col">status</th>
                    <th scope="col">attempts</th>
                    <th scope="col">last error</th>
                  </tr>
                </thead>
                <tbody>
                  {log.deliveries.map((d) => (
                    <tr key={d.delivery_id}>
                      <td data-label="queued">
                        <time dateTime={d.created_at} title={d.delivery_id}>
                          {when(d.created_at)}
                        </time>
                      </td>
                      <td data-label="playbook">{d.playbook}</td>
                      <td data-label="who">
                        <Subject type={d.subject_type} id={d.subject_id} />
                      </td>
                      <td data-label="status">
                        <span class={STATUS_CLASS[d.status]}>{d.status}</span>
                        {d.status === 'dead' && (
                          <button type="button" class="link" onClick={() => retry(d.delivery_id)}>
                            Retry
                          </button>
                        )}
                      </td>
                      <td data-label="attempts">{int(d.attempts)}</td>
                      <td data-label="last error" class="payload">
                        {d.last_error ?? '—'}
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )
        }
      </Loaded>
    </section>
  );
}

export function Playbooks() {
  const state = useApi(() => getJson<PlaybooksAnswer>('/playbooks'), []);
  const [preview, setPreview] = useState<string | null>(null);
  return (
    <>
      <h1>Playbooks</h1>
      <div class="grid">
        <section class="card wide" aria-labelledby="playbooks-title">
          <h2 id="playbooks-title">What fires, for whom, and where it goes</h2>
          <Loaded state={state} what="the playbooks">
            {(answer) =>
              answer.playbooks.length === 0 ? (
                <div data-testid="no-playbooks">
                  <Empty>
                    No playbooks yet. Add one under <code>playbooks:</code> in powerlens.yaml and
                    restart serve, or write one with <code>PUT /api/v1/playbooks/NAME</code>.
                    docs/playbooks.md describes every trigger, filter and limit. For example:
                  </Empty>
                  <pre class="example">{EXAMPLE}</pre>
                </div>
              ) : (
                <PlaybookTable playbooks={answer.playbooks} onPreview={setPreview} />
              )
            }
          </Loaded>
        </section>
        {preview && <Preview key={preview} name={preview} onClose={() => setPreview(null)} />}
        <Deliveries />
      </div>
    </>
  );
}
