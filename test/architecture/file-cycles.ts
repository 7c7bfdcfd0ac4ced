import type { ImportEdge } from './import-graph.js';

/** Cycles among files: one message per strongly connected group, with one cycle through it. */
export function fileCycles(edges: ImportEdge[]): string[] {
  const next = new Map<string, Set<string>>();
  for (const e of edges) {
    if (!e.resolved) continue;
    if (!next.has(e.from)) next.set(e.from, new Set());
    next.get(e.from)?.add(e.to);
  }
  // Tarjan's strongly connected components, iteratively.
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const onStack = new Set<string>();
  const stack: string[] = [];
  const groups: string[][] = [];
  let counter = 0;
  const nodes = [...new Set(edges.filter((e) => e.resolved).flatMap((e) => [e.from, e.to]))].sort();
  for (const start of nodes) {
    if (index.has(start)) continue;
    const work: { node: string; it: Iterator<string> }[] = [];
    const open = (n: string) => {
      index.set(n, counter);
      low.set(n, counter);
      counter++;
      stack.push(n);
      onStack.add(n);
      work.push({ node: n, it: [...(next.get(n) ?? [])].sort()[Symbol.iterator]() });
    };
    open(start);
    while (work.length > 0) {
      const top = work[work.length - 1] as { node: string; it: Iterator<string> };
      const step = top.it.next();
      if (!step.done) {
        const w = step.value;
        if (!index.has(w)) open(w);
        else if (onStack.has(w)) {
          low.set(top.node, Math.min(low.get(top.node) ?? 0, index.get(w) ?? 0));
        }
        continue;
      }
      work.pop();
      const parent = work[work.length - 1];
      if (parent) low.set(parent.node, Math.min(low.get(parent.node) ?? 0, low.get(top.node) ?? 0));
      if (low.get(top.node) === index.get(top.node)) {
        const group: string[] = [];
        let w: string | undefined;
        do {
          w = stack.pop() as string;
          onStack.delete(w);
          group.push(w);
        } while (w !== top.node);
        const selfLoop = next.get(top.node)?.has(top.node) ?? false;
        if (group.length > 1 || selfLoop) groups.push(group.sort());
      }
    }
  }
  return groups
    .sort((a, b) => (a[0] ?? '').localeCompare(b[0] ?? ''))
    .map((group) => {
      const cycle = shortestCycle(group[0] as string, new Set(group), next);
      const others = group.filter((f) => !cycle.includes(f));
      const more = others.length > 0 ? `; also in the tangle: ${others.join(', ')}` : '';
      return `import cycle: ${[...cycle, cycle[0]].join(' -> ')}${more}`;
    });
}

function shortestCycle(start: string, within: Set<string>, next: Map<string, Set<string>>) {
  const prev = new Map<string, string>();
  const queue = [start];
  for (let i = 0; i < queue.length; i++) {
    const n = queue[i] as string;
    for (const w of [...(next.get(n) ?? [])].sort()) {
      if (!within.has(w)) continue;
      if (w === start) {
        const path = [n];
        while (path[0] !== start) path.unshift(prev.get(path[0] as string) as string);
        return path;
      }
      if (!prev.has(w)) {
        prev.set(w, n);
        queue.push(w);
      }
    }
  }
  return [start];
}
