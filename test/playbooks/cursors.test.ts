import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Playbook, PlaybookSchema } from '../../src/model/playbook.js';
import { cursorsAfterRun, readCursors, saveCursors } from '../../src/playbooks/cursors.js';
import type { Occurrence } from '../../src/playbooks/occurrence.js';
import { openTempDb, type TempDb } from '../helpers/temp-db.js';

const webhook = [{ webhook: { url: 'https://example.test/h', secret_env: 'S' } }];
const playbook = (over: Record<string, unknown>): Playbook =>
  PlaybookSchema.parse({ trigger: { on: 'became_power_user' }, actions: webhook, ...over });
const risk = playbook({ trigger: { on: 'entered_state', state: 'at_risk' } });
const welcome = playbook({});
const scope = { projectId: 'default', defaultDefinition: 'default', period: 'week' };
const now = new Date('2026-02-20T00:00:00Z');

let db: TempDb;
beforeAll(async () => {
  db = await openTempDb();
});
afterAll(async () => {
  await db.cleanup();
});

describe('playbook cursors', () => {
  it('keep the latest period each playbook reached, per project, and never move back', async () => {
    const config = { risk, welcome };
    await saveCursors(db.engine, scope, new Map([['risk', '2026-02-09']]), config, now);
    const back = new Map([
      ['risk', '2026-02-02'],
      ['welcome', '2026-02-02'],
    ]);
    await saveCursors(db.engine, scope, back, config, now);
    const other = { ...scope, projectId: 'other' };
    await saveCursors(db.engine, other, new Map([['risk', '2026-01-05']]), config, now);
    expect(await readCursors(db.engine, scope, config)).toEqual(
      new Map([
        ['risk', '2026-02-09'],
        ['welcome', '2026-02-02'],
      ]),
    );
    expect(await readCursors(db.engine, other, config)).toEqual(new Map([['risk', '2026-01-05']]));
  });

  it('start anew when the trigger, definition or period kind changed', async () => {
    const config = { risk, welcome };
    await saveCursors(db.engine, scope, new Map([['risk', '2026-02-09']]), config, now);
    const lost = { risk: playbook({ trigger: { on: 'entered_state', state: 'lost' } }), welcome };
    expect((await readCursors(db.engine, scope, lost)).has('risk')).toBe(false);
    const other = { risk: { ...risk, definition: 'strict' }, welcome };
    expect((await readCursors(db.engine, scope, other)).has('risk')).toBe(false);
    const monthly = { ...scope, period: 'month' };
    expect((await readCursors(db.engine, monthly, config)).has('risk')).toBe(false);
    // Saved for the new trigger, the cursor may go back: it is another cursor.
    await saveCursors(db.engine, scope, new Map([['risk', '2026-01-12']]), lost, now);
    expect((await readCursors(db.engine, scope, lost)).get('risk')).toBe('2026-01-12');
  });

  it('are forgotten for a playbook turned off or gone, so it does not fire for the past when back', async () => {
    const config = { risk, welcome };
    await saveCursors(db.engine, scope, new Map([['welcome', '2026-02-09']]), config, now);
    const off = { risk, welcome: { ...welcome, enabled: false } };
    await saveCursors(db.engine, scope, new Map(), off, now);
    expect((await readCursors(db.engine, scope, config)).has('welcome')).toBe(false);
    await saveCursors(db.engine, scope, new Map(), { welcome }, now);
    expect((await readCursors(db.engine, scope, config)).has('risk')).toBe(false);
  });

  it('wait at the earliest period max_per_run left occurrences in', () => {
    const left = (playbook: string, period_start: string) =>
      ({ playbook, period_start }) as Occurrence;
    const reached = new Map([
      ['risk', '2026-02-09'],
      ['welcome', '2026-02-09'],
    ]);
    expect(
      cursorsAfterRun(reached, [left('risk', '2026-02-02'), left('risk', '2026-01-26')]),
    ).toEqual(
      new Map([
        ['risk', '2026-01-26'],
        ['welcome', '2026-02-09'],
      ]),
    );
    expect(cursorsAfterRun(reached, [left('welcome', '2026-02-09')])).toEqual(reached);
  });
});
