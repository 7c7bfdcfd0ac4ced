import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTempDb, type TempDb } from '../helpers/temp-db.js';
import { at, catalogue, day, defaultDefinition, load, rows, score, user } from './fixture.js';

/**
 * Window 2026-03-01..30 (as-of the 30th); the previous window is 2026-01-30..02-28.
 *
 * s1  Feb 23 (day -5): 4 x doc_edited, 09:00..09:03 (previous window)
 *     Mar 29: 10:00 feedback_given (a session of 0 s)
 *     Mar 30: 09:00 login, 09:10 doc_edited, 09:20 doc_edited (one session, 1200 s),
 *             11:00 doc_edited, 11:01 invite_sent (100 min later: a new session, 60 s)
 * s2  Mar 20 and 25: one doc_edited each (two sessions of 0 s); nothing before the window
 * s3  Feb 10 (day -18): 10 x doc_edited; Mar 1: one page_view (login-like)
 */
let db: TempDb;
beforeAll(async () => {
  db = await openTempDb();
  await load(db, [
    ...rows('s1', [-5], ['doc_edited', 'doc_edited', 'doc_edited', 'doc_edited']),
    at('s1', 29, '10:00:00', 'feedback_given'),
    at('s1', 30, '09:00:00', 'login'),
    at('s1', 30, '09:10:00', 'doc_edited'),
    at('s1', 30, '09:20:00', 'doc_edited'),
    at('s1', 30, '11:00:00', 'doc_edited'),
    at('s1', 30, '11:01:00', 'invite_sent'),
    ...rows('s2', [20, 25], ['doc_edited']),
    ...rows(
      's3',
      [-18],
      Array.from({ length: 10 }, () => 'doc_edited'),
    ),
    ...rows('s3', [1], ['page_view']),
  ]);
});
afterAll(async () => {
  await db.cleanup();
});

describe('signals with the zero-configuration catalogue', () => {
  it('computes every signal of s1, s2 and s3', async () => {
    const users = await score(db, defaultDefinition(), day(30));
    expect(user(users, 's1').signals).toEqual({
      days_active: 2,
      days_active_7: 2,
      // Mar 29/30 are week 0; Feb 23 is 35 days back: week 5.
      active_weeks: 2,
      sessions: 3,
      // (1200 + 60 + 0) / 3 sessions; the median of 0, 60, 1200.
      session_seconds_mean: 420,
      session_seconds_median: 60,
      active_seconds: 1260,
      events: 6,
      actions: 5,
      logins: 1,
      // doc_edited, invite_sent, feedback_given (login is presence); 3 users, none rare.
      features: 3,
      core_features: 3,
      advanced_features: 0,
      // The catalogue seen in the window has 3 non-login features.
      catalogue_coverage: 100,
      // Nothing is tagged key_action: every action but views (none here).
      key_actions: 5,
      // invite_sent looks like an invite, feedback_given like feedback.
      collaboration: 1,
      feedback: 1,
      // Nothing looks like a workflow, template, automation, ...
      optimization: 0,
      optimization_depth: 0,
      // First seen Feb 23: 5 days of February + 30 of March.
      tenure_days: 35,
      days_since_last_seen: 0,
      // The data start on Feb 10. invite_sent (Mar 30, 48 days later) and feedback_given (Mar 29)
      // are seen after it, but once each: a feature there all along shows its one use only in
      // the last day (or two) with a chance of 1/49 (2/49), not under 1%. Not new features.
      early_adoptions: 0,
      // 6 events against 4: +50%.
      trend: 50,
    });
    expect(user(users, 's2').signals).toEqual({
      days_active: 2,
      // Only the 25th is in 24..30.
      days_active_7: 1,
      // 10 days back (week 1) and 5 days back (week 0).
      active_weeks: 2,
      sessions: 2,
      session_seconds_mean: 0,
      session_seconds_median: 0,
      active_seconds: 0,
      events: 2,
      actions: 2,
      logins: 0,
      features: 1,
      core_features: 1,
      advanced_features: 0,
      // 1 of 3 features: 33.33.. rounded to tenths.
      catalogue_coverage: 33.3,
      key_actions: 2,
      collaboration: 0,
      feedback: 0,
      optimization: 0,
      optimization_depth: 0,
      tenure_days: 10,
      days_since_last_seen: 5,
      early_adoptions: 0,
      // Nothing in the previous window: no baseline, so no trend (null, "n/a"), not +100.
      trend: null,
    });
    expect(user(users, 's3').signals).toEqual({
      days_active: 1,
      days_active_7: 0,
      // Mar 1 is 29 days back (week 4), Feb 10 is 48 (week 6).
      active_weeks: 2,
      sessions: 1,
      // The 540 s session of Feb 10 is outside the window.
      session_seconds_mean: 0,
      session_seconds_median: 0,
      active_seconds: 0,
      events: 1,
      actions: 0,
      logins: 1,
      features: 0,
      core_features: 0,
      advanced_features: 0,
      catalogue_coverage: 0,
      key_actions: 0,
      collaboration: 0,
      feedback: 0,
      optimization: 0,
      optimization_depth: 0,
      // Feb 10 to Mar 30: 18 + 30 days.
      tenure_days: 48,
      days_since_last_seen: 29,
      early_adoptions: 0,
      // 1 event against 10: -90%.
      trend: -90,
    });
  });
});

describe('signals with catalogue tags', () => {
  it('counts key actions as the uses of key_action features once one is tagged', async () => {
    const cat = catalogue({
      features: [{ name: 'editing', events: 'doc_*', tags: ['key_action'] }],
    });
    const users = await score(db, defaultDefinition(), day(30), cat);
    // s1: 3 doc_edited in the window (not the invite or the feedback); s2: 2; s3: none.
    expect(['s1', 's2', 's3'].map((id) => user(users, id).signals.key_actions)).toEqual([3, 2, 0]);
    // Actions are still every non-login event.
    expect(user(users, 's1').signals.actions).toBe(5);
  });

  it('takes collaboration and feedback from tags, which override name patterns', async () => {
    const cat = catalogue({
      features: [
        { name: 'handoff', events: 'doc_edited', tags: ['collaboration'] },
        { name: 'support', events: 'invite_sent', tags: ['feedback'] },
      ],
    });
    const users = await score(db, defaultDefinition(), day(30), cat);
    const s1 = user(users, 's1').signals;
    // Collaboration: 3 doc_edited (handoff); invite_sent is now "support", not an invite.
    // Feedback: feedback_given (unlisted, by its name) + invite_sent (support) = 2.
    expect([s1.collaboration, s1.feedback]).toEqual([3, 2]);
    expect(user(users, 's2').signals.collaboration).toBe(2);
  });
});
