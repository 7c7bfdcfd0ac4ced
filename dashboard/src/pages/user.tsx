import { getJson } from '../api.js';
import { Loaded, useApi, Warnings } from '../components/states.js';
import { int, score } from '../format.js';
import type { UserExplanation as Explanation } from '../types.js';

const traitText = (v: unknown): string => (typeof v === 'string' ? v : JSON.stringify(v));

/** Who the user is and their account, from identify and group calls, when anything is known. */
function Traits({ u }: { u: Explanation }) {
  const traits = Object.entries(u.traits ?? {});
  const a = u.account;
  const facts: [string, string][] = a
    ? [
        ['account', a.account_id],
        ['name', a.name ?? ''],
        ['plan', a.plan ?? ''],
        ['seats', a.seats === undefined ? '' : int(a.seats)],
        ['MRR', a.mrr === undefined ? '' : a.mrr.toLocaleString('en-US')],
        ['CSM', a.csm ?? ''],
      ].filter((f): f is [string, string] => f[1] !== '')
    : [];
  if (traits.length === 0 && facts.length <= 1) return null;
  return (
    <div class="grid" data-testid="traits">
      {traits.length > 0 && (
        <section class="card">
          <h2>Traits</h2>
          <table>
            <tbody>
              {traits.map(([k, v]) => (
                <tr key={k}>
                  <th scope="row">{k}</th>
                  <td>{traitText(v)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </section>
      )}
      {a && facts.length > 1 && (
        <section class="card" data-testid="account">
          <h2>Account</h2>
          <table>
            <tbody>
              {facts.map(([k, v]) => (
                <tr key={k}>
                  <th scope="row">{k}</th>
                  <td>{v}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </section>
      )}
    </div>
  );
}

/** The last 13 weeks as a calendar, a cell per day shaded by events. */
function Calendar({ asOf, activity }: { asOf: string; activity: Explanation['activity'] }) {
  const byDay = new Map(activity.map((a) => [a.day, a.events]));
  const max = Math.max(1, ...activity.map((a) => a.events));
  const end = new Date(`${asOf}T00:00:00Z`);
  const days = Array.from({ length: 91 }, (_, i) => {
    const d = new Date(end.getTime() - (90 - i) * 86_400_000).toISOString().slice(0, 10);
    return { day: d, events: byDay.get(d) ?? 0 };
  });
  return (
    <div
      class="calendar"
      role="img"
      aria-label={`${activity.length} active days in the last 91 days`}
    >
      {days.map((d) => (
        <span
          key={d.day}
          title={`${d.day}: ${d.events} events`}
          style={{ opacity: d.events === 0 ? 0.08 : 0.25 + (0.75 * d.events) / max }}
        />
      ))}
    </div>
  );
}

export function UserPage({ userId }: { userId: string }) {
  const state = useApi(
    () => getJson<Explanation>(`/users/${encodeURIComponent(userId)}`),
    [userId],
  );
  return (
    <Loaded state={state} what={`user ${userId}`}>
      {(u) => (
        <section>
          <p>
            <a href="#/users">← Users</a>
          </p>
          <h1>
            {u.user_id} {u.name && <span>({u.name})</span>}{' '}
            {u.account_id && (
              <span class="muted">
                @ {u.account_name ? `${u.account_name} (${u.account_id})` : u.account_id}
              </span>
            )}
          </h1>
          <p class="verdict" data-testid="verdict">
            {u.is_power_user ? 'A power user' : 'Not a power user'} — score {score(u.score)},
            definition “{u.definition}”, {u.window_days} days to {u.as_of}
          </p>
          <p>{u.reason}</p>
          <Warnings warnings={u.warnings} />
          {u.segments.map((s) => (
            <p key={s.segment} class="segment">
              {s.reason}
            </p>
          ))}
          <Traits u={u} />
          <div class="grid">
            <section class="card">
              <h2>Criteria</h2>
              <table>
                <thead>
                  <tr>
                    <th scope="col">criterion</th>
                    <th scope="col">value</th>
                    <th scope="col">threshold</th>
                    <th scope="col">met</th>
                  </tr>
                </thead>
                <tbody>
                  {u.criteria.map((c) => (
                    <tr key={c.id}>
                      <td>{c.id}</td>
                      <td>{c.value === null ? 'n/a' : int(c.value)}</td>
                      <td>
                        {c.op === 'top_percent'
                          ? `top ${c.threshold}% (is top ${c.top_percent}%)`
                          : `${c.op === 'max' ? '≤' : '≥'} ${c.threshold}`}
                      </td>
                      <td>{c.passed ? '✓ yes' : '✗ no'}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </section>
            <section class="card">
              <h2>Activity, last 13 weeks</h2>
              <Calendar asOf={u.as_of} activity={u.activity} />
            </section>
            <section class="card">
              <h2>Features used</h2>
              <table>
                <thead>
                  <tr>
                    <th scope="col">feature</th>
                    <th scope="col">kind</th>
                    <th scope="col">uses</th>
                  </tr>
                </thead>
                <tbody>
                  {u.features_used.map((f) => (
                    <tr key={f.feature}>
                      <td>{f.label}</td>
                      <td>{f.kind}</td>
                      <td>{int(f.uses)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </section>
          </div>
        </section>
      )}
    </Loaded>
  );
}
