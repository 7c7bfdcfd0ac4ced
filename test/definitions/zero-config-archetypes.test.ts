import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCatalogue } from '../../src/analysis/run-catalogue.js';
import { readScoredUsers, scoreInto, type UserResult } from '../../src/analysis/score-users.js';
import { resolveSegments } from '../../src/model/segments.js';
import { openTempDb, type TempDb } from '../helpers/temp-db.js';
import { catalogue, day, define, load, PROJECT, range, rows } from './fixture.js';

/**
 * The zero-configuration catalogue and the archetypes it feeds, on a small project worked out by
 * hand. Window 2026-03-01..30 (as-of the 30th), 10 active users u1..u10. The data start on
 * Feb 1, when u10 uses every feature once but ai_summary_used and invoice_printed, so none of
 * them is new.
 *
 *   feature           users in the window (of 10)      kind, and why
 *   doc_edited        all (Mar 2)                       core
 *   doc_viewed        all (Mar 2)                       core; a view: not a key action
 *   login             all (Mar 2)                       login
 *   search_run        u1..u8 (Mar 3)                    core
 *   task_done         u1..u7 (Mar 4)                    core
 *   comment_added     u1..u6 (Mar 5)                    core
 *   report_built      u1..u5 (Mar 6)                    core: the median feature (see below)
 *   ai_summary_used   u1 (Mar 10..30), u2 (15), u3 (24) core (30%); new: first seen Mar 10
 *   export_done       u1, u2 (Mar 7)                    advanced: 20% is under half of 50%
 *   workflow_built    u1 (Mar 8..12), u2 (Mar 8)        advanced (as export_done); optimization
 *   template_used     u1 (Mar 8..12)                    advanced: 10% < 20%; optimization
 *   invoice_printed   u9 (Mar 1)                        advanced: 10% < 20%; not new (chance)
 *   teammate_invited  u4 (Mar 13..16)                   core: collaboration, never advanced
 *   bug_reported      u5 (Mar 13)                       core: feedback, never advanced
 *
 * The median of the 11 features that may be advanced (not login, collaboration or feedback), by
 * users: 1, 1, 2, 2, 3, [5], 6, 7, 8, 10, 10 -> report_built's 5 (50%). With the old rule alone
 * (fewer than 20% of active users) export_done and workflow_built, at exactly 20%, were core, and
 * teammate_invited and bug_reported were advanced as well as counted as collaboration and
 * feedback.
 *
 * New features: ai_summary_used is first seen Mar 10, 37 days after the data start, and has 23
 * uses (rows of user_day_event) in the 21 days since (u1 on 21 days, u2, u3): a feature there
 * all along would have put none of them in the 37 days before with a chance of (21/58)^23, far
 * under 1%: released Mar 10. Early adoption is a use on Mar 10..23 (14 days): u1 and u2, not u3
 * (Mar 24). invoice_printed is first seen Mar 1 (28 days after the start) but once: a chance of
 * 30/58 = 52%, so not new.
 */
let db: TempDb;
const OLD = [
  'login',
  'doc_edited',
  'doc_viewed',
  'search_run',
  'task_done',
  'comment_added',
  'report_built',
  'export_done',
  'workflow_built',
  'template_used',
  'teammate_invited',
  'bug_reported',
];
const users = (from: number, to: number) => range(from, to).map((i) => `u${i}`);

beforeAll(async () => {
  db = await openTempDb();
  await load(db, [
    ...rows('u10', [-27], OLD),
    ...users(1, 10).flatMap((u) => rows(u, [2], ['login', 'doc_edited', 'doc_viewed'])),
    ...users(1, 8).flatMap((u) => rows(u, [3], ['search_run'])),
    ...users(1, 7).flatMap((u) => rows(u, [4], ['task_done'])),
    ...users(1, 6).flatMap((u) => rows(u, [5], ['comment_added'])),
    ...users(1, 5).flatMap((u) => rows(u, [6], ['report_built'])),
    ...rows('u1', [7], ['export_done']),
    ...rows('u2', [7], ['export_done']),
    ...rows('u1', range(8, 12), ['workflow_built', 'template_used']),
    ...rows('u2', [8], ['workflow_built']),
    ...rows('u1', range(10, 30), ['ai_summary_used']),
    ...rows('u2', [15], ['ai_summary_used']),
    ...rows('u3', [24], ['ai_summary_used']),
    ...rows('u9', [1], ['invoice_printed']),
    ...rows('u4', range(13, 16), ['teammate_invited']),
    ...rows('u5', [13], ['bug_reported']),
  ]);
});
afterAll(async () => {
  await db.cleanup();
});

describe('the zero-configuration catalogue', () => {
  it('splits core and advanced stably, never counting collaboration or feedback twice', async () => {
    const listing = await runCatalogue(db.engine, {
      projectId: PROJECT,
      asOf: day(30),
      windowDays: 30,
      catalogue: catalogue(),
    });
    expect(listing.active_users).toBe(10);
    const of = (f: string) => listing.features.find((x) => x.feature === f);
    const kinds = Object.fromEntries(listing.features.map((f) => [f.feature, f.kind]));
    expect(kinds).toEqual({
      doc_edited: 'core',
      doc_viewed: 'core',
      login: 'core',
      search_run: 'core',
      task_done: 'core',
      comment_added: 'core',
      report_built: 'core',
      ai_summary_used: 'core',
      export_done: 'advanced',
      workflow_built: 'advanced',
      template_used: 'advanced',
      invoice_printed: 'advanced',
      teammate_invited: 'core',
      bug_reported: 'core',
    });
    expect(of('export_done')?.reasons).toEqual([
      "advanced: used by 20.0% of active users, under half the median feature's 50.0%",
    ]);
    expect(of('template_used')?.reasons).toEqual([
      'advanced: used by 10.0% of active users (below 20%)',
      'optimization: the name looks like a workflow, template, automation, rule, schedule, integration or API',
    ]);
    expect(of('report_built')?.reasons).toEqual([
      "core: used by 50.0% of active users (not below 20%, nor under half the median feature's 50.0%)",
    ]);
    expect(of('teammate_invited')?.reasons).toEqual([
      'core: counted as collaboration, not as advanced',
      'collaboration: the name looks like an invite, a share or a mention',
    ]);
    expect(of('bug_reported')?.tags).toEqual(['feedback']);
    expect(of('doc_viewed')?.reasons).toEqual([
      "core: used by 100.0% of active users (not below 20%, nor under half the median feature's 50.0%)",
      'not a key action: the name looks like a view (no feature is tagged key_action, so key actions are the actions that are not views)',
    ]);
    expect(of('login')?.tags).toEqual(['login']);
  });

  it('takes the first day of a feature new in the data as its release date, and says why', async () => {
    const listing = await runCatalogue(db.engine, {
      projectId: PROJECT,
      asOf: day(30),
      windowDays: 30,
      catalogue: catalogue(),
    });
    const of = (f: string) => listing.features.find((x) => x.feature === f);
    const ai = of('ai_summary_used');
    expect([ai?.released, ai?.first_seen, ai?.tags]).toEqual([
      '2026-03-10',
      '2026-03-10',
      ['innovation'],
    ]);
    expect(ai?.reasons[1]).toBe(
      'innovation: first seen 2026-03-10, 37 days after the data starts on 2026-02-01; 23 uses in the 21 days since, none before: a feature there all along would show that with a chance under 1%, so that day is its release',
    );
    const invoice = of('invoice_printed');
    expect([invoice?.released, invoice?.first_seen]).toEqual([null, '2026-03-01']);
    expect(invoice?.reasons[1]).toBe(
      'not new: first seen 2026-03-01, 28 days after the data starts on 2026-02-01, but its 1 use in the 30 days since could all have missed the days before by chance (52%)',
    );
    // Every feature u10 used on the first day is as old as the data: no release, no reason.
    expect(listing.features.filter((f) => f.released !== null).map((f) => f.feature)).toEqual([
      'ai_summary_used',
    ]);
  });
});

describe('archetypes with zero configuration', () => {
  let scored: Map<string, UserResult>;
  beforeAll(async () => {
    // Everyone active is a power user here, so each one's segments can be checked.
    const definition = define({ rule: { signal: 'days_active', min: 1 } });
    await scoreInto(db.engine, definition, { projectId: PROJECT, asOf: day(30) });
    const list = await readScoredUsers(db.engine, definition, { segments: resolveSegments({}) });
    scored = new Map(list.map((u) => [u.user_id, u]));
  });
  const get = (id: string): UserResult => {
    const u = scored.get(id);
    if (!u) throw new Error(`${id} was not scored`);
    return u;
  };

  it('computes the signals the archetypes read', () => {
    const u1 = get('u1').signals;
    // 10 features: the 7 core ones it used and export_done, workflow_built, template_used.
    expect([u1.features, u1.core_features, u1.advanced_features]).toEqual([10, 7, 3]);
    // 38 actions (no login): doc_edited, doc_viewed, search_run, task_done, comment_added,
    // report_built, export_done, 5 + 5 workflow and template uses, 21 ai_summary_used; the
    // view (doc_viewed) is not a key action.
    expect([u1.actions, u1.key_actions]).toEqual([38, 37]);
    // workflow_built and template_used 5 times each: both at least weekly (7 x 5 >= 30 days),
    // of the 2 optimization features: 100%.
    expect([u1.optimization, u1.optimization_depth]).toEqual([10, 100]);
    // u2 built one workflow: not weekly.
    expect([get('u2').signals.optimization, get('u2').signals.optimization_depth]).toEqual([1, 0]);
    // Early adoption of ai_summary_used (Mar 10..23): u1 (10th), u2 (15th), not u3 (24th).
    expect(['u1', 'u2', 'u3'].map((u) => get(u).signals.early_adoptions)).toEqual([1, 1, 0]);
    expect(get('u4').signals.collaboration).toBe(4);
  });

  it('places each power user in every archetype they show, and says why one is in none', () => {
    const segments = (id: string) => get(id).segments.map((s) => s.segment);
    expect(segments('u1')).toEqual(['innovator', 'optimizer']);
    expect(segments('u2')).toEqual(['innovator']);
    expect(segments('u4')).toEqual(['advocate']);
    for (const id of ['u3', 'u5', 'u6', 'u7', 'u8', 'u9', 'u10']) expect(segments(id)).toEqual([]);
    expect(get('u1').segments.map((s) => s.reason)).toEqual([
      'Innovator: adopted 1 new feature early',
      'Optimizer: uses 100% of the optimization features weekly',
    ]);
    expect(get('u4').no_segment_reason).toBeNull();
    expect(get('u3').no_segment_reason).toBe(
      'in no segment: Innovator: adopted 0 new features early, needs 1; Advocate: invited or shared 0 times, needs 4; Optimizer: uses 0% of the optimization features weekly, needs 50',
    );
  });
});
