import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { explainUser } from '../../src/analysis/explain-user.js';
import { listUsers } from '../../src/analysis/list-users.js';
import { runAnalysis } from '../../src/analysis/run-analysis.js';
import { definitionWarnings, historyWarnings } from '../../src/analysis/verdict-warnings.js';
import { singleMetricWarning } from '../../src/model/definition-problems.js';
import type { RuleInput } from '../../src/model/rule-input.js';
import { openTempDb, type TempDb } from '../helpers/temp-db.js';
import { day, defaultDefinition, define, load, PROJECT, range, rows } from './fixture.js';

/**
 * Warnings beside a verdict: the single-metric trap (a definition met on frequency alone), and
 * criteria the history cannot support.
 *
 * The data: 30 days, March 1 to 30. h1 is active every day with five features; h2 on days 16..30
 * with one. As of the 30th the history is 30 days (first day and as-of day included), so
 *   - active_weeks counts the 7-day periods back from the 30th: days 30..24, 23..17, 16..10, 9..3
 *     and 2..1 are weeks 0..4, so at most 5 of the 13 weeks can be active; "active_weeks >= 10"
 *     needs 7 * 9 + 1 = 64 days of data (one day in each of 10 weeks);
 *   - the trend compares the 30-day window with the 30 days before: it needs 60 days, and with 30
 *     nobody has a window before, so every trend is n/a and "trend >= 10" cannot pass;
 *   - with a 7-day window the trend needs 14 days: 30 are enough.
 */
let db: TempDb;
beforeAll(async () => {
  db = await openTempDb();
  const five = ['f_one', 'f_two', 'f_three', 'f_four', 'f_five'];
  await load(db, [...rows('h1', range(1, 30), five), ...rows('h2', range(16, 30), ['f_one'])]);
});
afterAll(async () => {
  await db.cleanup();
});

describe('the single-metric trap', () => {
  it('warns when the rule can be met on frequency alone', () => {
    const warn = (input: Parameters<typeof define>[0]) => {
      const d = define(input);
      return definitionWarnings(d).map((w) => [w.kind, w.criteria]);
    };
    // One frequency criterion.
    expect(warn({ rule: { id: 'often', signal: 'days_active', min: 20 } })).toEqual([
      ['single_metric', ['often']],
    ]);
    // Frequent and busy is still shallow: events count a trivial action as much as any other.
    expect(
      warn({
        rule: {
          all: [
            { signal: 'days_active', min: 20 },
            { signal: 'events', top_percent: 10 },
          ],
        },
      }),
    ).toEqual([['single_metric', ['days_active', 'events']]]);
    // An any that frequency alone can pass.
    expect(
      warn({
        rule: {
          any: [
            { signal: 'core_features', min: 5 },
            { signal: 'sessions', min: 30 },
          ],
        },
      }),
    ).toEqual([['single_metric', ['sessions']]]);
    // Frequency and breadth together: no warning; the default definition neither.
    expect(
      warn({
        rule: {
          all: [
            { signal: 'days_active', min: 20 },
            { signal: 'core_features', min: 5 },
          ],
        },
      }),
    ).toEqual([]);
    expect(definitionWarnings(defaultDefinition())).toEqual([]);
    // A composite that weighs only frequency signals; one depth signal is enough.
    expect(
      warn({
        score: { weights: { days_active: 2, sessions: 1 }, cutoff: { top_percent: 10 } },
      }),
    ).toEqual([['single_metric', ['days_active', 'sessions']]]);
    expect(
      warn({
        score: { weights: { days_active: 2, key_actions: 1 }, cutoff: { top_percent: 10 } },
      }),
    ).toEqual([]);
  });

  it('reads a rule as written in the config as well (the dashboard editor, the API)', () => {
    const rule: RuleInput = {
      at_least: 1,
      of: [
        { signal: 'logins', min: 5 },
        { signal: 'features', min: 3 },
      ],
    };
    const w = singleMetricWarning({ rule });
    expect(w?.criteria).toEqual(['logins']);
    expect(w?.message).toContain('heavy-but-shallow users');
    expect(w?.message).toContain('frequent AND deep or broad');
  });
});

describe('criteria the history cannot support', () => {
  it('names the criterion, the days it needs and the days there are', async () => {
    const r = await runAnalysis(db.engine, {
      projectId: PROJECT,
      definition: defaultDefinition(),
      asOf: day(30),
    });
    expect(r.history).toEqual({ first_day: day(1), days: 30 });
    expect(r.warnings).toEqual([
      {
        kind: 'history',
        criteria: ['consistency'],
        needs_days: 64,
        history_days: 30,
        message:
          'consistency (active_weeks >= 10) needs 64 days of data; the data hold 30 days (2026-03-01 to 2026-03-30): at most 5 weeks of 13 can be active, so nobody can meet it.',
      },
    ]);
    // And indeed: h1, active every day, has 5 active weeks.
    const users = await listUsers(db.engine, {
      projectId: PROJECT,
      definition: defaultDefinition(),
      asOf: day(30),
    });
    expect(users.users.find((u) => u.user_id === 'h1')?.signals.active_weeks).toBe(5);
    expect(users.warnings).toEqual(r.warnings);
  });

  it('says a trend criterion cannot pass without a window before, and the trend is n/a', async () => {
    const growth = define({
      rule: {
        all: [
          { signal: 'core_features', min: 1 },
          { signal: 'trend', min: 10 },
        ],
      },
    });
    const h1 = await explainUser(db.engine, {
      projectId: PROJECT,
      userId: 'h1',
      definition: growth,
      asOf: day(30),
    });
    expect(h1.warnings).toEqual([
      {
        kind: 'history',
        criteria: ['trend'],
        needs_days: 60,
        history_days: 30,
        message:
          'trend (trend >= 10) needs 60 days of data; the data hold 30 days (2026-03-01 to 2026-03-30): nobody has a window before this one: every trend is n/a; trend cannot pass.',
      },
    ]);
    expect(h1.signals.trend).toBeNull();
    expect(h1.criteria.find((c) => c.id === 'trend')).toMatchObject({ value: null, passed: false });
    expect(h1.reason).toBe(
      'not yet: activity trend n/a (no activity in the 30 days before), needs 10',
    );
    // A 7-day window compares with the 7 days before: 14 days of data are enough.
    expect(
      historyWarnings(define(growthInput(7), 7), { first_day: day(1), days: 30 }, day(30)),
    ).toEqual([]);
  });

  it('warns about a composite signal that reads further back than the data', () => {
    const d = define({
      score: { weights: { active_weeks: 1, key_actions: 1 }, cutoff: { top_percent: 10 } },
    });
    expect(historyWarnings(d, { first_day: day(1), days: 30 }, day(30))).toEqual([
      {
        kind: 'history',
        criteria: ['active_weeks'],
        needs_days: 91,
        history_days: 30,
        message:
          'the weighted signal active_weeks needs 91 days of data; the data hold 30 days (2026-03-01 to 2026-03-30): at most 5 weeks of 13 can be active.',
      },
    ]);
  });
});

function growthInput(windowDays: number): Parameters<typeof define>[0] {
  return {
    window_days: windowDays,
    rule: {
      all: [
        { signal: 'core_features', min: 1 },
        { signal: 'trend', min: 10 },
      ],
    },
  };
}
