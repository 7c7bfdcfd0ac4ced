import { afterAll, beforeAll } from 'vitest';
import type { Row } from '../../src/engines/engine.js';
import { CatalogueSchema } from '../../src/model/catalogue.js';
import { ENGINES, type EngineName, type OpenEngine, openEngine } from './engines.js';

/**
 * The rollup rows the signal and score conformance tests read (test/conformance/signals.test.ts,
 * scores.test.ts): 24 users over 120 days, so the look-back, the trend and tenure have history.
 */
export const AS_OF = '2026-11-24';
const EVENTS = [
  'login',
  'report_exported',
  'invite_sent',
  'feedback_given',
  'auto_pilot_on',
  'rare',
];

function day(back: number): string {
  return new Date(Date.parse(`${AS_OF}T00:00:00Z`) - back * 86_400_000).toISOString().slice(0, 10);
}

function fixture(): { userDay: Row[]; userDayEvent: Row[]; userDayFeature: Row[] } {
  const userDay: Row[] = [];
  const userDayEvent: Row[] = [];
  const userDayFeature: Row[] = [];
  for (let u = 0; u < 24; u++) {
    const user = `u${String(u).padStart(2, '0')}`;
    for (let back = 0; back < 120; back++) {
      if ((back * (u + 3) + u) % (2 + (u % 7)) !== 0) continue;
      const account = u % 5 === 0 && back % 2 === 0 ? 'acct-b' : u % 3 === 0 ? '' : 'acct-a';
      const events = 1 + ((u + back) % 9);
      userDay.push({
        project_id: 'p1',
        user_id: user,
        anonymous: false,
        account_id: account,
        day: day(back),
        events,
        sessions: 1 + (back % 3),
        active_seconds: 60 * (1 + ((u * back) % 17)),
        first_seen: `${day(back)} 09:00:00`,
        last_seen: `${day(back)} 10:00:00`,
        session_seconds: Array.from({ length: 1 + (back % 3) }, (_, k) => 30 * (k + 1) + u),
      });
      EVENTS.forEach((event, k) => {
        if ((u + back + k) % (k + 2) === 0) {
          userDayEvent.push({
            project_id: 'p1',
            user_id: user,
            anonymous: false,
            account_id: account,
            day: day(back),
            event,
            events: 1 + ((u + k) % 4),
          });
        }
      });
      if (u % 4 === 1 && back % 5 === 0) {
        userDayFeature.push({
          project_id: 'p1',
          user_id: user,
          anonymous: false,
          account_id: account,
          day: day(back),
          feature: 'Big exports',
          events: 2,
        });
      }
    }
  }
  // 2469 s over 20 sessions is 123.45 s, a half in tenths: 123.5 on every engine.
  userDay.push({
    project_id: 'p1',
    user_id: 'u-half',
    anonymous: false,
    account_id: '',
    day: day(0),
    events: 20,
    sessions: 20,
    active_seconds: 2469,
    first_seen: `${day(0)} 09:00:00`,
    last_seen: `${day(0)} 10:00:00`,
    session_seconds: [2469],
  });
  // An anonymous visitor, left out everywhere.
  userDay.push({
    project_id: 'p1',
    user_id: 'anon-1',
    anonymous: true,
    account_id: '',
    day: day(1),
    events: 50,
    sessions: 5,
    active_seconds: 600,
    first_seen: `${day(1)} 09:00:00`,
    last_seen: `${day(1)} 10:00:00`,
    session_seconds: [600],
  });
  return { userDay, userDayEvent, userDayFeature };
}

/** The catalogues the signals are compared under; the scores use the configured one. */
export const CATALOGUES = {
  inferred: CatalogueSchema.parse({}),
  configured: CatalogueSchema.parse({
    advanced_below_percent: 40,
    early_adoption_days: 30,
    features: [
      { name: 'Reports', events: 'report_*', tags: ['key_action'] },
      {
        name: 'Big exports',
        events: 'report_exported',
        where: { format: 'pdf' },
        kind: 'advanced',
        released: '2026-10-01',
      },
      { name: 'Autopilot', events: 'auto_pilot_*', released: '2026-09-15', kind: 'advanced' },
      { name: 'Invites', events: 'invite_sent', tags: ['collaboration'] },
    ],
  }),
};

/** Every engine under test, opened and loaded with the fixture before the file's tests. */
export function useSignalEngines(): Map<EngineName, OpenEngine> {
  const open = new Map<EngineName, OpenEngine>();
  beforeAll(async () => {
    const f = fixture();
    for (const name of ENGINES) {
      const e = await openEngine(name);
      open.set(name, e);
      await e.engine.insert('user_day', f.userDay);
      await e.engine.insert('user_day_event', f.userDayEvent);
      await e.engine.insert('user_day_feature', f.userDayFeature);
    }
  }, 120_000);
  afterAll(async () => {
    for (const e of open.values()) await e.close();
  });
  return open;
}
