import { useState } from 'preact/hooks';
import { downloadCsv, getJson } from '../api.js';
import { Empty, ErrorBox, Loaded, useApi, Warnings } from '../components/states.js';
import { int, score } from '../format.js';
import type { UsersPage } from '../types.js';

const COLUMNS: { key: string; label: string }[] = [
  { key: 'user_id', label: 'user' },
  { key: 'account_id', label: 'account' },
  { key: 'score', label: 'score' },
  { key: 'days_active', label: 'days active' },
  { key: 'key_actions', label: 'key actions' },
];
const LIMIT = 25;

export function Users() {
  const [q, setQ] = useState('');
  const [power, setPower] = useState<'' | 'true' | 'false'>('true');
  const [sort, setSort] = useState('score');
  const [order, setOrder] = useState<'asc' | 'desc'>('desc');
  const [offset, setOffset] = useState(0);
  const [csvError, setCsvError] = useState<string | null>(null);
  const params = new URLSearchParams({ sort, order, limit: String(LIMIT), offset: String(offset) });
  if (q) params.set('q', q);
  if (power) params.set('power', power);
  const state = useApi(() => getJson<UsersPage>(`/users?${params}`), [params.toString()]);
  const sortBy = (key: string) => {
    if (key === sort) setOrder(order === 'desc' ? 'asc' : 'desc');
    else {
      setSort(key);
      setOrder(key === 'user_id' || key === 'account_id' ? 'asc' : 'desc');
    }
    setOffset(0);
  };
  const exportCsv = () => {
    const all = new URLSearchParams(params);
    all.delete('limit');
    all.delete('offset');
    all.set('format', 'csv');
    downloadCsv(`/users?${all}`, 'powerlens-users.csv').catch((e: unknown) =>
      setCsvError(e instanceof Error ? e.message : String(e)),
    );
  };
  return (
    <section>
      <h1>Users</h1>
      <div class="toolbar">
        <label>
          Search
          <input
            type="search"
            value={q}
            placeholder="user or account id"
            onInput={(e) => {
              setQ((e.target as HTMLInputElement).value);
              setOffset(0);
            }}
          />
        </label>
        <label>
          Show
          <select
            value={power}
            onChange={(e) => {
              setPower((e.target as HTMLSelectElement).value as '' | 'true' | 'false');
              setOffset(0);
            }}
          >
            <option value="true">power users</option>
            <option value="false">everyone else</option>
            <option value="">everyone</option>
          </select>
        </label>
        <button type="button" onClick={exportCsv}>
          Export CSV
        </button>
      </div>
      {csvError && <ErrorBox message={csvError} />}
      <Loaded state={state} what="users">
        {(page) =>
          page.total === 0 ? (
            <Empty>No user matches.</Empty>
          ) : (
            <>
              <Warnings warnings={page.warnings} />
              <div class="table-wrap">
                <UsersTable page={page} sort={sort} order={order} sortBy={sortBy} />
              </div>
              <nav class="pager" aria-label="pages">
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

/**
 * The page of users. Who they are (name, e-mail) and their account's name come from identify and
 * group calls: the column is there when someone on the page has one.
 */
function UsersTable({
  page,
  sort,
  order,
  sortBy,
}: {
  page: UsersPage;
  sort: string;
  order: 'asc' | 'desc';
  sortBy: (key: string) => void;
}) {
  const who = page.users.some((u) => u.name !== undefined || u.email !== undefined);
  return (
    <table data-testid="users-table">
      <thead>
        <tr>
          {COLUMNS.flatMap((c) => [
            <th
              scope="col"
              key={c.key}
              aria-sort={c.key === sort ? (order === 'asc' ? 'ascending' : 'descending') : 'none'}
            >
              <button type="button" class="link" onClick={() => sortBy(c.key)}>
                {c.label}
                {c.key === sort ? (order === 'asc' ? ' ▲' : ' ▼') : ''}
              </button>
            </th>,
            ...(c.key === 'user_id' && who
              ? [
                  <th scope="col" key="who">
                    name
                  </th>,
                ]
              : []),
          ])}
          <th scope="col">criteria met</th>
          <th scope="col">segments</th>
        </tr>
      </thead>
      <tbody>
        {page.users.map((u) => (
          <tr key={u.user_id}>
            <td>
              <a href={`#/users/${encodeURIComponent(u.user_id)}`}>{u.user_id}</a>
              {u.is_power_user && <span class="badge">power</span>}
            </td>
            {who && (
              <td data-testid="user-who">
                {u.name}
                {u.email && <div class="muted">{u.email}</div>}
              </td>
            )}
            <td>
              {u.account_id}
              {u.account_name && <div class="muted">{u.account_name}</div>}
            </td>
            <td>{score(u.score)}</td>
            <td>{int(u.signals.days_active ?? 0)}</td>
            <td>{int(u.signals.key_actions ?? 0)}</td>
            <td>
              {u.criteria.filter((c) => c.passed).length} of {u.criteria.length}
            </td>
            <td>{u.segments.map((s) => s.label).join(', ')}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
