import { describe, expect, test } from 'vitest';
import {
  BAD_KEYS,
  expectedRows,
  post,
  type RecordKind,
  type Setup,
  sortRows,
  storedRows,
  tagFor,
  useServer,
} from '../helpers/isolation.js';

/**
 * Project isolation on every PostHog route: only a live write key gets in, and what it sends is
 * stored under its own project and nowhere else. One server per describe; every case tags its
 * message ids so it can find (or not find) exactly its own rows.
 */

const POSTHOG_ROUTES = ['/capture', '/batch', '/e', '/i/v0/e', '/track'].flatMap((p) => [
  p,
  `${p}/`,
]);

const POSTHOG_KINDS: RecordKind[] = ['event', 'identify', 'group', 'alias'];

type Events = Record<string, unknown>[];

/** One event of each kind PostHog sends, message ids `${tag}0..3`, without keys. */
function postHogEvents(tag: string, who: string): Events {
  return [
    { event: 'isolation probe', distinct_id: who, uuid: `${tag}0` },
    {
      event: '$identify',
      distinct_id: who,
      uuid: `${tag}1`,
      properties: { $set: { email: `${who}@example.com` } },
    },
    {
      event: '$groupidentify',
      distinct_id: who,
      uuid: `${tag}2`,
      properties: { $group_type: 'company', $group_key: `${who}-co` },
    },
    {
      event: '$create_alias',
      distinct_id: who,
      uuid: `${tag}3`,
      properties: { alias: `${who}-anon` },
    },
  ];
}

/** Where a PostHog key can be: top-level api_key, each event's api_key, each event's token. */
const POSTHOG_PLACEMENTS = ['top-level api_key', 'api_key per event', 'properties.token'] as const;
type Placement = (typeof POSTHOG_PLACEMENTS)[number];

function postHogBody(events: Events, key: string, placement: Placement) {
  if (placement === 'top-level api_key') return { api_key: key, batch: events };
  if (placement === 'api_key per event') return events.map((e) => ({ ...e, api_key: key }));
  return events.map((e) => ({
    ...e,
    properties: { ...(e.properties as Record<string, unknown> | undefined), token: key },
  }));
}

/** The last event's key replaced: by its own api_key, or by properties.token. */
const lastWith = (events: Events, extra: (e: Record<string, unknown>) => object): Events =>
  events.map((e, i) => (i === events.length - 1 ? { ...e, ...extra(e) } : e));
const withToken = (key: string) => (e: Record<string, unknown>) => ({
  properties: { ...(e.properties as object | undefined), token: key },
});

const TWO_PROJECTS = 'the events carry keys of different projects';
const NOT_A_WRITE_KEY = 'unknown or revoked api_key (or not a write key)';

/**
 * Batches whose keys do not all name one project through a write key; a write key mixed with a
 * key that is no write key is answered as that bad key.
 */
const POSTHOG_MIXES: {
  mix: string;
  error: string;
  body: (s: Setup, events: Events) => unknown;
}[] = [
  {
    mix: "acme's and other's api_key per event",
    error: TWO_PROJECTS,
    body: (s, ev) =>
      lastWith(postHogBody(ev, s.acme, 'api_key per event') as Events, () => ({
        api_key: s.other,
      })),
  },
  {
    mix: "acme's top-level api_key and other's api_key in one event",
    error: TWO_PROJECTS,
    body: (s, ev) => ({ api_key: s.acme, batch: lastWith(ev, () => ({ api_key: s.other })) }),
  },
  {
    mix: "other's top-level api_key and acme's token in one event",
    error: TWO_PROJECTS,
    body: (s, ev) => ({ api_key: s.other, batch: lastWith(ev, withToken(s.acme)) }),
  },
  {
    mix: "acme's write key and acme's read key",
    error: NOT_A_WRITE_KEY,
    body: (s, ev) => ({
      api_key: s.acme,
      batch: lastWith(ev, () => ({ api_key: s.bad['read key of acme'] })),
    }),
  },
  {
    mix: "acme's write key and a revoked one of acme",
    error: NOT_A_WRITE_KEY,
    body: (s, ev) => ({
      api_key: s.acme,
      batch: lastWith(ev, () => ({ api_key: s.bad['revoked write key of acme'] })),
    }),
  },
];

describe('PostHog routes keep projects apart', () => {
  const setup = useServer();

  describe.each(POSTHOG_ROUTES)('POST %s', (route) => {
    test('stores what each project sends under that project only (same uuids in both)', async () => {
      const tag = tagFor(route);
      const a = postHogBody(postHogEvents(tag, 'acme-user'), setup.acme, 'top-level api_key');
      const b = postHogBody(postHogEvents(tag, 'other-user'), setup.other, 'properties.token');
      expect((await post(setup, route, a)).status).toBe(200);
      expect((await post(setup, route, b)).status).toBe(200);
      expect(await storedRows(setup, tag)).toEqual(
        sortRows([
          ...expectedRows(POSTHOG_KINDS, tag, 'acme', 'acme-user'),
          ...expectedRows(POSTHOG_KINDS, tag, 'other', 'other-user'),
        ]),
      );
    });

    test('stores a single captured event (no batch) under its project', async () => {
      const tag = tagFor(`${route}-single`);
      const [event] = postHogEvents(tag, 'acme-user');
      expect((await post(setup, route, { ...event, api_key: setup.acme })).status).toBe(200);
      expect(await storedRows(setup, tag)).toEqual(
        expectedRows(['event'], tag, 'acme', 'acme-user'),
      );
    });

    test.each(BAD_KEYS.flatMap((bad) => POSTHOG_PLACEMENTS.map((via) => ({ bad, via }))))(
      'refuses a $bad in $via with 401 and stores nothing',
      async ({ bad, via }) => {
        const tag = tagFor(`${route}-${bad}-${via}`);
        const res = await post(
          setup,
          route,
          postHogBody(postHogEvents(tag, 'acme-user'), setup.bad[bad], via),
        );
        expect(res.status).toBe(401);
        expect(res.body.error).toBe(NOT_A_WRITE_KEY);
        expect(await storedRows(setup, tag)).toEqual([]);
      },
    );

    test('refuses a missing key with 401 and stores nothing', async () => {
      const tag = tagFor(`${route}-missing`);
      const res = await post(setup, route, { batch: postHogEvents(tag, 'acme-user') });
      expect(res.status).toBe(401);
      expect(res.body.error).toMatch(/^missing api_key/);
      expect(await storedRows(setup, tag)).toEqual([]);
    });

    test.each(POSTHOG_MIXES)(
      'refuses a batch mixing $mix with 401, storing nothing in either project',
      async ({ body, error }) => {
        const tag = tagFor(`${route}-mixed`);
        const res = await post(setup, route, body(setup, postHogEvents(tag, 'someone')));
        expect(res.status).toBe(401);
        expect(res.body.error).toBe(error);
        expect(await storedRows(setup, tag)).toEqual([]);
      },
    );
  });
});
