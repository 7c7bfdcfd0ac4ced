import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toUserResult } from '../../src/analysis/score-users.js';
import { type SegmentVerdicts, segmentMemberships } from '../../src/analysis/segment-users.js';
import { parseConfigText } from '../../src/model/config.js';
import { resolveSegments } from '../../src/model/segments.js';
import { openTempDb, type TempDb } from '../helpers/temp-db.js';
import { defaultDefinition } from './fixture.js';

/**
 * Segments on a planted scoring: each archetype's member is found with the criteria that put
 * them there, a power user may be in several, one in none is told why, nobody else is placed, and
 * the config replaces, drops and adds segments with precise errors.
 *
 * The built-in bars (src/model/segments.ts): Innovator early_adoptions >= 1; Advocate
 * collaboration >= 4; Optimizer optimization_depth >= 50. No caps: however many pass, all are in.
 */
let db: TempDb;

// user, power user?, collaboration, optimization_depth, early adoptions, core features, key actions
const PLANTED: [string, boolean, number, number, number, number, number][] = [
  ['advocate', true, 4, 40, 0, 4, 100], // collaboration exactly at the bar
  ['innovator', true, 0, 0, 1, 4, 100], // one early adoption is enough
  ['optimizer', true, 1, 60, 0, 14, 900], // 3 of 5 optimization features weekly
  ['all_three', true, 25, 100, 2, 9, 500],
  ['optimizer_2', true, 0, 50, 0, 4, 100], // half exactly: in
  ['optimizer_3', true, 0, 50, 0, 4, 100],
  ['none', true, 3, 40, 0, 4, 100], // just under each bar: in no segment
  // Not power users: never in a segment.
  ['outsider', false, 500, 100, 9, 30, 5000],
];

beforeAll(async () => {
  db = await openTempDb();
  const values = PLANTED.map(
    ([u, p, collab, depth, early, core, key]) =>
      `('${u}', ${p}, ${collab}, ${depth}, ${early}, ${core}, ${key})`,
  ).join(', ');
  await db.engine.run(
    `CREATE TEMP TABLE scored AS SELECT * FROM (VALUES ${values})
       t(user_id, is_power_user, collaboration, optimization_depth, early_adoptions, core_features,
         key_actions)`,
  );
});
afterAll(() => db.cleanup());

const segmentsOf = (v: SegmentVerdicts, user: string) =>
  (v.memberships.get(user) ?? []).map((s) => s.segment);

describe('segments of power users', () => {
  it('places each power user in every archetype they show, and nobody else', async () => {
    const v = await segmentMemberships(db.engine, resolveSegments({}), 30);
    expect(segmentsOf(v, 'advocate')).toEqual(['advocate']);
    expect(segmentsOf(v, 'innovator')).toEqual(['innovator']);
    expect(segmentsOf(v, 'optimizer')).toEqual(['optimizer']);
    expect(segmentsOf(v, 'all_three')).toEqual(['innovator', 'advocate', 'optimizer']);
    // No "top 25%" cap: 4 of the 7 power users are optimizers, all of them in.
    expect(segmentsOf(v, 'optimizer_2')).toEqual(['optimizer']);
    expect(segmentsOf(v, 'optimizer_3')).toEqual(['optimizer']);
    expect(segmentsOf(v, 'none')).toEqual([]);
    expect(v.memberships.has('outsider')).toBe(false);
    // The deciding criteria, with value and bar.
    const innovator = v.memberships.get('innovator')?.[0];
    expect(innovator?.criteria.map((c) => [c.id, c.value, c.threshold])).toEqual([
      ['early_adopter', 1, 1],
    ]);
    const optimizer = v.memberships.get('optimizer')?.[0];
    expect(optimizer?.criteria.map((c) => [c.signal, c.value, c.threshold])).toEqual([
      ['optimization_depth', 60, 50],
    ]);
    // Only a power user in no segment has misses.
    expect([...v.misses.keys()]).toEqual(['none']);
  });

  it('says why a power user is in no segment, and why one is in each', async () => {
    const definition = defaultDefinition();
    const v = await segmentMemberships(db.engine, resolveSegments({}), 30);
    const row = (user_id: string) => ({
      user_id,
      account_id: '',
      score: 100,
      is_power_user: true,
      advanced_list: [],
    });
    const none = toUserResult(definition, row('none'), new Map(), v);
    expect(none.segments).toEqual([]);
    expect(none.no_segment_reason).toBe(
      'in no segment: Innovator: adopted 0 new features early, needs 1; Advocate: invited or shared 3 times, needs 4; Optimizer: uses 40% of the optimization features weekly, needs 50',
    );
    const all = toUserResult(definition, row('all_three'), new Map(), v);
    expect(all.no_segment_reason).toBeNull();
    expect(all.segments.map((s) => s.reason)).toEqual([
      'Innovator: adopted 2 new features early',
      'Advocate: invited or shared 25 times',
      'Optimizer: uses 100% of the optimization features weekly',
    ]);
  });

  it('takes custom segments from the config, replacing and dropping built-in ones', async () => {
    const config = parseConfigText(
      `segments:
  optimizer:
    enabled: false
  advocate:
    label: Champion
    rule: { signal: collaboration, min: 50 }
  builder:
    label: Builder
    description: builds with the core features
    rule: { all: [{ signal: core_features, min: 10 }, { signal: key_actions, min: 500 }] }
`,
      'powerlens.yaml',
    );
    const segments = resolveSegments(config.segments);
    expect(segments.map((s) => s.name)).toEqual(['innovator', 'advocate', 'builder']);
    const v = await segmentMemberships(db.engine, segments, 30);
    // Champion (collaboration >= 50) takes nobody: all_three's 25 is short of it.
    expect(v.memberships.get('all_three')?.map((s) => s.label)).toEqual(['Innovator']);
    // Builder: 10+ core features and 500+ key actions: optimizer (14, 900) is one.
    expect(segmentsOf(v, 'optimizer')).toEqual(['builder']);
  });

  it('says where a segment is wrong and how to fix it', () => {
    const bad = (yaml: string) => () => parseConfigText(yaml, 'powerlens.yaml');
    expect(bad('segments:\n  x:\n    rule: { signal: colaboration, min: 1 }\n')).toThrow(
      /powerlens\.yaml:3.*segments\.x\.rule\.signal.*unknown signal "colaboration".*collaboration/s,
    );
    expect(bad('segments:\n  x:\n    label: X\n')).toThrow(/needs rule:.*enabled: false/);
  });
});
