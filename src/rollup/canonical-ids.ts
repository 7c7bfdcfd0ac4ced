/** One id said to be another person's id: events under `alias` count for `target`. */
export interface IdentityLink {
  alias: string;
  target: string;
  /** ISO time of the earliest record that made the link; orders links for breaking cycles. */
  at: string;
}

/**
 * The user each linked id resolves to, following chains (anonymous → user → renamed user).
 * Each id has at most one link (the caller keeps the earliest). Links can form a cycle (a aliased
 * to b, later b to a): the latest link of a cycle is the one that closed it, so it is dropped and
 * the cycle becomes a chain ending at that link's alias.
 */
export function canonicalIds(links: readonly IdentityLink[]): Map<string, string> {
  const next = new Map<string, IdentityLink>();
  for (const l of links) if (l.alias !== l.target) next.set(l.alias, l);

  // Walk from every id; an id met twice on the same walk closes a cycle. Iterative, because
  // chains can be long and recursion depth is limited.
  const state = new Map<string, 'walking' | 'done'>();
  for (const start of next.keys()) {
    if (state.has(start)) continue;
    const path: string[] = [];
    let id: string | undefined = start;
    while (id !== undefined && !state.has(id) && next.has(id)) {
      state.set(id, 'walking');
      path.push(id);
      id = next.get(id)?.target;
    }
    if (id !== undefined && state.get(id) === 'walking') {
      const cycle = path.slice(path.indexOf(id));
      let latest = cycle[0] as string;
      for (const c of cycle) {
        const a = next.get(c) as IdentityLink;
        const b = next.get(latest) as IdentityLink;
        if (a.at > b.at || (a.at === b.at && c > latest)) latest = c;
      }
      next.delete(latest);
    }
    for (const p of path) state.set(p, 'done');
  }

  // No cycle is left: each chain ends at an id without a link, its user.
  const resolved = new Map<string, string>();
  for (const start of next.keys()) {
    if (resolved.has(start)) continue;
    const path: string[] = [];
    let id = start;
    let end: string | undefined;
    for (;;) {
      const known = resolved.get(id);
      if (known !== undefined) {
        end = known;
        break;
      }
      const link = next.get(id);
      if (!link) {
        end = id;
        break;
      }
      path.push(id);
      id = link.target;
    }
    for (const p of path) resolved.set(p, end);
  }
  return resolved;
}
