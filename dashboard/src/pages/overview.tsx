import type { ChartConfiguration } from 'chart.js';
import { useCallback, useMemo, useState } from 'preact/hooks';
import { getJson } from '../api.js';
import { ChartView } from '../components/chart.js';
import { Empty, Loaded, useApi, Warnings } from '../components/states.js';
import { int, pct } from '../format.js';
import type { CurvePoint, LifecycleReport, Report } from '../types.js';
import { Onboarding } from './onboarding.js';

const POWER = '#5b3cc4';
const OTHERS = '#b9b2d6';

function curveConfig(points: CurvePoint[]): ChartConfiguration {
  return {
    type: 'bar',
    data: {
      labels: points.map((p) => String(p.days_active)),
      datasets: [
        {
          label: 'power users',
          data: points.map((p) => p.power_users),
          backgroundColor: POWER,
          stack: 's',
        },
        {
          label: 'everyone else',
          data: points.map((p) => p.users - p.power_users),
          backgroundColor: OTHERS,
          stack: 's',
        },
      ],
    },
    options: {
      scales: {
        x: { stacked: true, title: { display: true, text: 'days active' } },
        y: { stacked: true, title: { display: true, text: 'users' } },
      },
    },
  };
}

function Curve({ title, points, id }: { title: string; points: CurvePoint[]; id: string }) {
  const config = useMemo(() => curveConfig(points), [points]);
  const total = points.reduce((a, p) => a + p.users, 0);
  return (
    <section class="card">
      <h2>{title}</h2>
      <ChartView
        config={config}
        label={`${title}: ${int(total)} users by days active, power users stacked on everyone else`}
      />
      <details>
        <summary>The numbers</summary>
        <table data-testid={`curve-${id}`}>
          <thead>
            <tr>
              <th scope="col">days active</th>
              <th scope="col">users</th>
              <th scope="col">power users</th>
            </tr>
          </thead>
          <tbody>
            {points.map((p) => (
              <tr key={p.days_active}>
                <td>{p.days_active}</td>
                <td>{p.users}</td>
                <td>{p.power_users}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </details>
    </section>
  );
}

function Lifecycle() {
  const state = useApi(() => getJson<LifecycleReport>('/lifecycle'), []);
  return (
    <section class="card wide">
      <h2>Power users over time</h2>
      <Loaded state={state} what="lifecycle">
        {(lc) => {
          if (lc.periods.length === 0) {
            return (
              <Empty>
                No snapshots yet: on the <a href="#/data">Data page</a>, bring snapshots up to date,
                or backfill from an earlier day, to see power users over time.
              </Empty>
            );
          }
          const config: ChartConfiguration = {
            type: 'line',
            data: {
              labels: lc.periods.map((p) => p.period_start),
              datasets: [
                {
                  label: 'power users',
                  data: lc.periods.map((p) => p.power_users),
                  borderColor: POWER,
                },
              ],
            },
          };
          const last = lc.periods.at(-1);
          const flows = lc.flows.filter((f) => f.period_start === last?.period_start);
          return (
            <>
              <ChartView config={config} label="Power users per period" />
              {last && !last.baseline && (
                <table>
                  <caption>Lifecycle in the period of {last.period_start}</caption>
                  <thead>
                    <tr>
                      {Object.keys(last.states).map((s) => (
                        <th scope="col" key={s}>
                          {s.replace('_', ' ')}
                        </th>
                      ))}
                    </tr>
                  </thead>
                  <tbody>
                    <tr>
                      {Object.entries(last.states).map(([s, n]) => (
                        <td key={s}>{int(n)}</td>
                      ))}
                    </tr>
                  </tbody>
                </table>
              )}
              {flows.length > 0 && (
                <table data-testid="flows">
                  <caption>Moves into the period of {last?.period_start}</caption>
                  <thead>
                    <tr>
                      <th scope="col">from</th>
                      <th scope="col">to</th>
                      <th scope="col">users</th>
                    </tr>
                  </thead>
                  <tbody>
                    {flows.map((f) => (
                      <tr key={`${f.from}-${f.to}`}>
                        <td>{f.from.replace('_', ' ') || 'none'}</td>
                        <td>{f.to.replace('_', ' ') || 'none'}</td>
                        <td>{int(f.users)}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              )}
            </>
          );
        }}
      </Loaded>
    </section>
  );
}

export function Overview() {
  // Asked again while the project waits for its first events (onboarding.tsx).
  const [attempt, setAttempt] = useState(0);
  const retry = useCallback(() => setAttempt((n) => n + 1), []);
  const state = useApi(() => getJson<Report>('/report'), [attempt]);
  return (
    <Loaded state={state} what="the report">
      {(r) => {
        if (r.totals.events === 0) return <Onboarding onRetry={retry} />;
        if (r.totals.active_users === 0) {
          return (
            <Empty>
              No active users in the {r.window_days} days to {r.as_of}.
            </Empty>
          );
        }
        const lorenz: ChartConfiguration = {
          type: 'line',
          data: {
            labels: r.concentration.lorenz.map((p) => `${p.users_percent}%`),
            datasets: [
              {
                label: 'share of key actions',
                data: r.concentration.lorenz.map((p) => p.actions_share * 100),
                borderColor: POWER,
                fill: true,
              },
            ],
          },
          options: {
            scales: { y: { min: 0, max: 100, title: { display: true, text: '% of key actions' } } },
          },
        };
        return (
          <>
            <p class="as-of">
              {r.window_days} days to {r.as_of}, definition “{r.definition.name}”
            </p>
            <Warnings warnings={r.warnings} />
            <div class="kpis">
              <div class="kpi">
                <span class="label">Active users</span>
                <span class="value" data-testid="kpi-active">
                  {int(r.totals.active_users)}
                </span>
              </div>
              <div class="kpi">
                <span class="label">Power users</span>
                <span class="value" data-testid="kpi-power">
                  {int(r.totals.power_users)}
                </span>
              </div>
              <div class="kpi">
                <span class="label">Share</span>
                <span class="value" data-testid="kpi-share">
                  {pct(r.totals.power_user_share)}
                </span>
              </div>
            </div>
            <div class="grid">
              <Curve title="Power User Curve (L30)" points={r.curves.l30} id="l30" />
              <Curve title="Power User Curve (L7)" points={r.curves.l7} id="l7" />
              <section class="card">
                <h2>Concentration of key actions</h2>
                <ChartView
                  config={lorenz}
                  label={`Lorenz curve of key actions, Gini ${r.concentration.gini.toFixed(2)}`}
                />
                <p>
                  The top {r.concentration.top[0]?.top_percent}% of users do{' '}
                  {pct(r.concentration.top[0]?.share ?? 0, 0)} of the key actions (Gini{' '}
                  {r.concentration.gini.toFixed(2)}).
                </p>
              </section>
              <section class="card">
                <h2>Segments of the power users</h2>
                <table>
                  <thead>
                    <tr>
                      <th scope="col">segment</th>
                      <th scope="col">power users</th>
                      <th scope="col">share</th>
                    </tr>
                  </thead>
                  <tbody>
                    {r.segments.map((s) => (
                      <tr key={s.segment}>
                        <td>{s.label}</td>
                        <td>{int(s.power_users)}</td>
                        <td>{pct(s.share_of_power_users, 0)}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </section>
              <Lifecycle />
            </div>
          </>
        );
      }}
    </Loaded>
  );
}
