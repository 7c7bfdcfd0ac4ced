import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { generateKey, hashKey, type KeyScope, keyId } from '../../src/projects/api-keys.js';
import { type CollectorServer, startCollectorServer } from '../helpers/collector-server.js';

/**
 * Project isolation on every ingest route: only a live write key gets in, and what it sends is
 * stored under its own project and nowhere else. One server per describe; every case tags its
 * message ids so it can find (or not find) exactly its own rows.
 */

const SEGMENT_ROUTES = ['track', 'identify', 'group', 'page', 'screen', 'alias', 'batch'].flatMap(
  (t) => [`/v1/${t}`, `/v1/${t}/`],
);
const POSTHOG_ROUTES = ['/capture', '/batch', '/e', '/i/v0/e', '/track'].flatMap((p) => [
  p,
  `${p}/`,
]);

/** Keys that must not get in, by name; filled in beforeAll (the real ones exist only then). */
const BAD_KEYS = [
  'read key of acme',
  'admin key of acme',
  'revoked write key of acme',
  'unknown write key',
  'not a key at all',
] as const;
type BadKey = (typeof BAD_KEYS)[number];

interface Setup {
  server: CollectorServer;
  acme: string;
  other: string;
  bad: Record<BadKey, string>;
}

/** Stores a key for a project the way createProject does, optionally already revoked. */
async function addKey(
  server: CollectorServer,
  projectId: string,
  scope: KeyScope,
  revoked = false,
): Promise<string> {
  const key = generateKey(scope);
  await server.db.engine.run(
    `INSERT INTO api_keys (key_id, project_id, scope, key_hash, revoked_at)
     VALUES ($id, $p, $scope, $hash, CASE WHEN $revoked THEN current_timestamp END)`,
    { id: keyId(key), p: projectId, scope, hash: hashKey(key), revoked },
  );
  return key;
}

/** One server for the describe that calls it, with acme's non-write and revoked keys added. */
function useServer(): Setup {
  const setup = {} as Setup;
  beforeAll(async () => {
    setup.server = await startCollectorServer();
    [setup.acme, setup.other] = setup.server.writeKeys;
    setup.bad = {
      'read key of acme': await addKey(setup.server, 'acme', 'read'),
      'admin key of acme': await addKey(setup.server, 'acme', 'admin'),
      'revoked write key of acme': await addKey(setup.server, 'acme', 'write', true),
      'unknown write key': generateKey('write'),
      'not a key at all': "' OR 1=1 --",
    };
  });
  afterAll(() => setup.server?.close());
  return setup;
}

let serial = 0;
/** A prefix for the message ids of one case, unique in the file. */
const tagFor = (label: string) => `iso${++serial}-${label.replace(/[^a-z0-9]+/gi, '-')}-`;

type RecordKind = 'event' | 'identify' | 'group' | 'alias';

interface StoredRow {
  tbl: string;
  project_id: string;
  message_id: string | null;
  who: string | null;
}

const sortRows = (rows: StoredRow[]) =>
  [...rows].sort((a, b) =>
    `${a.tbl}|${a.project_id}|${a.message_id}` < `${b.tbl}|${b.project_id}|${b.message_id}`
      ? -1
      : 1,
  );

/** Loads the log, then every row of the four record tables (and failed_events) the tag marks. */
async function storedRows(setup: Setup, tag: string): Promise<StoredRow[]> {
  await setup.server.collector.loadNow();
  const rows = await setup.server.db.engine.query<StoredRow>(
    `SELECT 'events' AS tbl, project_id, message_id, user_id AS who FROM events
       WHERE starts_with(message_id, $tag)
     UNION ALL SELECT 'identifies', project_id, message_id, user_id FROM identifies
       WHERE starts_with(message_id, $tag)
     UNION ALL SELECT 'group_memberships', project_id, message_id, account_id FROM group_memberships
       WHERE starts_with(message_id, $tag)
     UNION ALL SELECT 'aliases', project_id, message_id, user_id FROM aliases
       WHERE starts_with(message_id, $tag)
     UNION ALL SELECT 'failed_events', project_id, NULL, NULL FROM failed_events
       WHERE contains(raw, $tag)`,
    { tag },
  );
  return sortRows(rows);
}

/** The rows one accepted request for a project must leave, in storedRows' order. */
function expectedRows(
  kinds: readonly RecordKind[],
  tag: string,
  projectId: string,
  who: string,
): StoredRow[] {
  const table: Record<RecordKind, string> = {
    event: 'events',
    identify: 'identifies',
    group: 'group_memberships',
    alias: 'aliases',
  };
  return kinds.map((k, i) => ({
    tbl: table[k],
    project_id: projectId,
    message_id: `${tag}${i}`,
    who: k === 'group' ? `${who}-co` : who,
  }));
}

async function post(
  setup: Setup,
  path: string,
  body: unknown,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: { error?: string } }> {
  const res = await fetch(`${setup.server.base}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as { error?: string } };
}

// --- Segment ---------------------------------------------------------------------------------

const SEGMENT_KIND: Record<string, RecordKind> = {
  track: 'event',
  identify: 'identify',
  group: 'group',
  page: 'event',
  screen: 'event',
  alias: 'alias',
};
const SEGMENT_BATCH_TYPES = ['track', 'identify', 'group', 'page', 'screen', 'alias'];

function segmentMessage(type: string, messageId: string, who: string) {
  switch (type) {
    case 'track':
      return { event: 'Isolation Probe', userId: who, messageId };
    case 'identify':
      return { userId: who, traits: { email: `${who}@example.com` }, messageId };
    case 'group':
      return { userId: who, groupId: `${who}-co`, messageId };
    case 'page':
    case 'screen':
      return { userId: who, name: 'Home', messageId };
    default:
      return { userId: who, previousId: `${who}-anon`, messageId };
  }
}

/** A valid body for a Segment route (without a key) and the records it makes. */
function segmentBody(route: string, tag: string, who: string) {
  const type = route.split('/')[2] ?? '';
  if (type === 'batch') {
    return {
      body: {
        batch: SEGMENT_BATCH_TYPES.map((t, i) => ({
          type: t,
          ...segmentMessage(t, `${tag}${i}`, who),
        })),
      },
      kinds: SEGMENT_BATCH_TYPES.map((t) => SEGMENT_KIND[t] as RecordKind),
    };
  }
  return {
    body: segmentMessage(type, `${tag}0`, who),
    kinds: [SEGMENT_KIND[type] as RecordKind],
  };
}

const basic = (key: string) => ({
  authorization: `Basic ${Buffer.from(`${key}:`).toString('base64')}`,
});

describe('Segment routes keep projects apart', () => {
  const setup = useServer();

  describe.each(SEGMENT_ROUTES)('POST %s', (route) => {
    test('stores what each project sends under that project only (same message ids in both)', async () => {
      const tag = tagFor(route);
      const a = segmentBody(route, tag, 'acme-user');
      const b = segmentBody(route, tag, 'other-user');
      // Acme by Basic auth, other by writeKey in the body: both ways a key can come.
      expect((await post(setup, route, a.body, basic(setup.acme))).status).toBe(200);
      expect((await post(setup, route, { ...b.body, writeKey: setup.other })).status).toBe(200);
      expect(await storedRows(setup, tag)).toEqual(
        sortRows([
          ...expectedRows(a.kinds, tag, 'acme', 'acme-user'),
          ...expectedRows(b.kinds, tag, 'other', 'other-user'),
        ]),
      );
    });

    test.each(
      BAD_KEYS.flatMap((bad) => [
        { bad, via: 'Basic auth' },
        { bad, via: 'body writeKey' },
      ]),
    )('refuses a $bad in $via with 401 and stores nothing', async ({ bad, via }) => {
      const tag = tagFor(`${route}-${bad}-${via}`);
      const key = setup.bad[bad];
      const { body } = segmentBody(route, tag, 'acme-user');
      const res =
        via === 'Basic auth'
          ? await post(setup, route, body, basic(key))
          : await post(setup, route, { ...body, writeKey: key });
      expect(res.status).toBe(401);
      expect(res.body.error).toBe('unknown or revoked write key');
      expect(await storedRows(setup, tag)).toEqual([]);
    });

    test('refuses a missing key with 401 and stores nothing', async () => {
      const tag = tagFor(`${route}-missing`);
      const res = await post(setup, route, segmentBody(route, tag, 'acme-user').body);
      expect(res.status).toBe(401);
      expect(res.body.error).toMatch(/^missing write key/);
      expect(await storedRows(setup, tag)).toEqual([]);
    });

    test.each([
      { auth: 'acme', inBody: 'other' },
      { auth: 'other', inBody: 'acme' },
    ] as const)(
      'refuses Basic auth of $auth with a body writeKey of $inBody: 401, nothing stored in either',
      async ({ auth, inBody }) => {
        const tag = tagFor(`${route}-${auth}-vs-${inBody}`);
        const { body } = segmentBody(route, tag, 'someone');
        const res = await post(
          setup,
          route,
          { ...body, writeKey: setup[inBody] },
          basic(setup[auth]),
        );
        expect(res.status).toBe(401);
        expect(res.body.error).toMatch(/disagree/);
        expect(await storedRows(setup, tag)).toEqual([]);
      },
    );

    test('accepts the same key in Basic auth and in the body', async () => {
      const tag = tagFor(`${route}-same-twice`);
      const { body, kinds } = segmentBody(route, tag, 'acme-user');
      const res = await post(setup, route, { ...body, writeKey: setup.acme }, basic(setup.acme));
      expect(res.status).toBe(200);
      expect(await storedRows(setup, tag)).toEqual(
        sortRows(expectedRows(kinds, tag, 'acme', 'acme-user')),
      );
    });
  });
});

// --- PostHog ---------------------------------------------------------------------------------

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
