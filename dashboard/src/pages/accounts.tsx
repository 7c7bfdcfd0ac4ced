import { useState } from 'preact/hooks';
import { getJson } from '../api.js';
import { Empty, Loaded, useApi } from '../components/states.js';
import { int, pct } from '../format.js';
import type { AccountsAnswer } from '../types.js';

export function Accounts() {
  const [filter, setFilter] = useState<'' | 'at_risk' | 'expansion'>('');
  const [open, setOpen] = useState<string | null>(null);
  const state = useApi(
    () => getJson<AccountsAnswer>(filter ? `/accounts?${filter}=true` : '/accounts'),
    [filter],
  );
  return (
    <section>
      <h1>Accounts</h1>
      <div class="toolbar">
        <label>
          Show
          <select
            value={filter}
            onChange={(e) => setFilter((e.target as HTMLSelectElement).value as typeof filter)}
          >
            <option value="">every account</option>
            <option value="at_risk">at risk</option>
            <option value="expansion">expansion chances</option>
          </select>
        </label>
      </div>
      <Loaded state={state} what="accounts">
        {(r) => {
          // Plan and seats come from group calls: their columns are there when some account has them.
          const plan = r.accounts.some((a) => a.plan !== undefined);
          const seats = r.accounts.some((a) => a.seats !== undefined);
          const columns = 6 + (plan ? 1 : 0) + (seats ? 2 : 0);
          return r.accounts.length === 0 ? (
            <Empty>No account here.</Empty>
          ) : (
            <div class="table-wrap">
              {!r.compared_periods && (
                <p class="muted" data-testid="one-period">
                  The data hold only one {r.period} so far: lost power users, silent champions and
                  movers compare two.
                </p>
              )}
              {r.history_limit && (
                <p class="muted" data-testid="history-limit">
                  Shorter history: {r.history_limit.hint}
                </p>
              )}
              {r.accounts.some((a) => a.risk_rank !== undefined) && (
                <p class="muted">
                  Accounts at risk first, most at stake first (MRR, seats, active users).
                </p>
              )}
              <table>
                <thead>
                  <tr>
                    <th scope="col">account</th>
                    {plan && <th scope="col">plan</th>}
                    {seats && <th scope="col">seats</th>}
                    <th scope="col">active</th>
                    <th scope="col">power users</th>
                    <th scope="col">share</th>
                    {seats && (
                      <th scope="col" title="power users per seat">
                        of seats
                      </th>
                    )}
                    <th scope="col">coverage</th>
                    <th scope="col">signals</th>
                  </tr>
                </thead>
                <tbody>
                  {r.accounts.slice(0, 200).map((a) => (
                    <>
                      <tr key={a.account_id}>
                        <td>
                          <button
                            type="button"
                            class="link"
                            aria-expanded={open === a.account_id}
                            onClick={() => setOpen(open === a.account_id ? null : a.account_id)}
                          >
                            {a.account_id}
                          </button>
                          {a.name && <div class="muted">{a.name}</div>}
                        </td>
                        {plan && <td>{a.plan ?? ''}</td>}
                        {seats && <td>{a.seats === undefined ? '' : int(a.seats)}</td>}
                        <td>{int(a.active_users)}</td>
                        <td>{int(a.power_users)}</td>
                        <td>{pct(a.power_user_share, 0)}</td>
                        {seats && (
                          <td data-testid="seat-share">
                            {a.power_user_seat_share === undefined
                              ? ''
                              : pct(a.power_user_seat_share, 0)}
                          </td>
                        )}
                        <td>{pct(a.catalogue_coverage, 0)}</td>
                        <td>
                          {a.signals.map((s) => (
                            <span key={s.signal} class={`badge ${s.kind}`}>
                              {s.signal.replaceAll('_', ' ')}
                            </span>
                          ))}
                        </td>
                      </tr>
                      {open === a.account_id && (
                        <tr key={`${a.account_id}-detail`}>
                          <td colSpan={columns}>
                            {(a.mrr !== undefined || a.csm !== undefined) && (
                              <p>
                                {[
                                  a.mrr === undefined ? '' : `MRR ${a.mrr.toLocaleString('en-US')}`,
                                  a.csm === undefined ? '' : `CSM ${a.csm}`,
                                ]
                                  .filter(Boolean)
                                  .join(' · ')}
                              </p>
                            )}
                            {a.signals.map((s) => (
                              <p key={s.signal}>
                                <strong>{s.kind}</strong>
                                {s.since ? ` since ${s.since}` : ''}: {s.explanation}
                              </p>
                            ))}
                            <p>
                              Days active of its users (L
                              {a.curve.length ? Math.max(...a.curve.map((c) => c.days_active)) : 0}
                              ): {a.curve.map((c) => `${c.days_active}d × ${c.users}`).join(', ')}
                            </p>
                          </td>
                        </tr>
                      )}
                    </>
                  ))}
                </tbody>
              </table>
            </div>
          );
        }}
      </Loaded>
    </section>
  );
}
