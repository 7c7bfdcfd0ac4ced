import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { segmentMemberships } from '../../src/analysis/segment-users.js';
import { parseConfigText } from '../../src/model/config.js';
import { resolveSegments } from '../../src/model/segments.js';
import { openTempDb, type TempDb } from '../helpers/temp-db.js';

/**
 * Segments on a planted scoring: each archetype's member is found with the criteria that put
 * them there, nobody else is, ranks are among power users only, and the config replaces, drops
 * and adds segments with precise errors.
 */
let db: TempDb;

// user, power user?, collaboration, advanced features, early adoptions, core features, key actions
const PLANTED: [string, boolean, number, number, number, number, number][] = [
  ['advocate', true, 60, 2, 0, 4, 100],
  ['innovator_early', true, 0, 1, 3, 4, 100],
  ['innovator_advanced', true, 0, 12, 0, 4, 100],
  ['optimizer', true, 0, 2, 0, 14, 900],
  ['plain_1', true, 0, 2, 0, 4, 100],
  ['plain_2', true, 0, 2, 0, 4, 100],
  ['plain_3', true, 0, 2, 0, 4, 100],
  ['plain_4', true, 0, 2, 0, 4, 100],
  // Not power users: never in a segment, and not counted in the ranks.
  ['outsider', false, 500, 30, 9, 30, 5000],
  ['outsider_2', false, 400, 25, 9, 25, 4000],
];

beforeAll(async () => {
  db = await openTempDb();
  const values = PLANTED.map(
    ([u, p, collab, adv, early, core, key]) =>
      `('${u}', ${p}, ${collab}, ${adv}, ${early}, ${core}, ${key})`,
  ).join(', ');
  await db.engine.run(
    `CREATE TEMP TABLE scored AS SELECT * FROM (VALUES ${values})
       t(user_id, is_power_user, collaboration, advanced_features, early_adoptions, core_features,
         key_actions)`,
  );
});
afterAll(() => db.cleanup());

const segmentsOf = (m: Map<string, { segment: string }[]>, user: string) =>
  (m.get(user) ?? []).map((s) => s.segment);

describe('segments of power users', () => {
  it('places each planted archetype, explains it, and leaves everyone else out', async () => {
    const m = await segmentMemberships(db.engine, resolveSegments({}), 30);
    expect(segmentsOf(m, 'advocate')).toEqual(['advocate']);
    expect(segmentsOf(m, 'innovator_early')).toEqual(['innovator']);
    expect(segmentsOf(m, 'innovator_advanced')).toEqual(['innovator']);
    expect(segmentsOf(m, 'optimizer')).toEqual(['optimizer']);
    for (const u of ['plain_1', 'plain_2', 'plain_3', 'plain_4'])
      expect(segmentsOf(m, u)).toEqual([]);
    expect(m.has('outsider')).toBe(false);
    // The deciding criteria only: the early adopter is there for early adoption.
    const early = m.get('innovator_early')?.[0];
    expect(early?.criteria.map((c) => [c.id, c.value])).toEqual([['early_adopter', 3]]);
    // Ranked among the 8 power users: the advocate is the top 1 of 8 (13%).
    const advocate = m.get('advocate')?.[0];
    expect(advocate?.criteria.find((c) => c.op === 'top_percent')?.top_percent).toBe(13);
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
    const m = await segmentMemberships(db.engine, segments, 30);
    expect(m.get('advocate')?.map((s) => s.label)).toEqual(['Champion']);
    expect(segmentsOf(m, 'optimizer')).toEqual(['builder']);
  });

  it('says where a segment is wrong and how to fix it', () => {
    const bad = (yaml: string) => () => parseConfigText(yaml, 'powerlens.yaml');
    expect(bad('segments:\n  x:\n    rule: { signal: colaboration, min: 1 }\n')).toThrow(
      /powerlens\.yaml:3.*segments\.x\.rule\.signal.*unknown signal "colaboration".*collaboration/s,
    );
    expect(bad('segments:\n  x:\n    label: X\n')).toThrow(/needs rule:.*enabled: false/);
  });
});
