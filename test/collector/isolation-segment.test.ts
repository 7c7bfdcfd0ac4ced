import { describe, expect, test } from 'vitest';
import {
  BAD_KEYS,
  expectedRows,
  post,
  type RecordKind,
  sortRows,
  storedRows,
  tagFor,
  useServer,
} from '../helpers/isolation.js';

/**
 * Project isolation on every Segment (and RudderStack) route: only a live write key gets in, and what it sends is
 * stored under its own project and nowhere else. One server per describe; every case tags its
 * message ids so it can find (or not find) exactly its own rows.
 */

const SEGMENT_ROUTES = ['track', 'identify', 'group', 'page', 'screen', 'alias', 'batch'].flatMap(
  (t) => [`/v1/${t}`, `/v1/${t}/`],
);

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
