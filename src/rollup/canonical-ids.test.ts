import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { canonicalIds, type IdentityLink } from './canonical-ids.js';

const link = (alias: string, target: string, at = '2026-01-01T00:00:00Z'): IdentityLink => ({
  alias,
  target,
  at,
});

describe('canonicalIds', () => {
  it('maps an anonymous id to its user', () => {
    expect(Object.fromEntries(canonicalIds([link('anon-1', 'u1')]))).toEqual({ 'anon-1': 'u1' });
  });

  it('follows a chain to its end: anonymous id, then a user id renamed by alias', () => {
    const map = canonicalIds([link('anon-1', 'u1'), link('u1', 'u1-new'), link('anon-2', 'u1')]);
    expect(Object.fromEntries(map)).toEqual({
      'anon-1': 'u1-new',
      'anon-2': 'u1-new',
      u1: 'u1-new',
    });
  });

  it('drops the latest link of a cycle, which closed it', () => {
    const map = canonicalIds([
      link('a', 'b', '2026-01-01T00:00:00Z'),
      link('b', 'c', '2026-01-02T00:00:00Z'),
      link('c', 'a', '2026-01-03T00:00:00Z'),
      link('x', 'c', '2026-01-04T00:00:00Z'),
    ]);
    expect(Object.fromEntries(map)).toEqual({ a: 'c', b: 'c', x: 'c' });
  });

  it('ignores an id linked to itself', () => {
    expect(canonicalIds([link('u1', 'u1')]).size).toBe(0);
  });

  it('resolves long chains without running out of stack', () => {
    const links = Array.from({ length: 200_000 }, (_, i) => link(`id${i}`, `id${i + 1}`));
    const map = canonicalIds(links);
    expect(map.get('id0')).toBe('id200000');
    expect(map.size).toBe(200_000);
  });

  it('always ends at an id with no link of its own, reachable through the links', () => {
    const ids = fc.constantFrom('a', 'b', 'c', 'd', 'e', 'f');
    const links = fc.uniqueArray(
      fc.record({ alias: ids, target: ids, at: fc.constantFrom('1', '2', '3', '4') }),
      { selector: (l) => l.alias, maxLength: 6 },
    );
    fc.assert(
      fc.property(links, (ls) => {
        const map = canonicalIds(ls);
        const next = new Map<string, string>(ls.map((l) => [l.alias, l.target]));
        for (const [alias, user] of map) {
          // The user is not itself an alias.
          expect(map.has(user)).toBe(false);
          // And the alias reaches it by following links.
          let id: string = alias;
          const seen = new Set<string>();
          while (id !== user && !seen.has(id)) {
            seen.add(id);
            id = next.get(id) ?? id;
          }
          expect(id).toBe(user);
        }
      }),
      { seed: 4 },
    );
  });
});
