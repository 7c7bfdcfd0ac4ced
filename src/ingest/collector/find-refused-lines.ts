/** A line of a log segment the loader will not take, and the loader's own words why. */
export interface Refusal {
  /** 0-based position in the segment. */
  index: number;
  line: string;
  reason: string;
}

/**
 * The lines of a segment that the loader refuses, each found alone. `tryLoad` runs the real
 * loader on some of the lines (into a scratch database) and answers null when it takes them, or
 * the loader's reason when it refuses them; it throws only when it cannot try (a full disk), and
 * then nothing is called refused. Halves are tried until each refused line stands by itself, so
 * one bad line costs about one pass over the segment and every other line is kept.
 */
export async function findRefusedLines(
  lines: readonly string[],
  tryLoad: (lines: readonly string[]) => Promise<string | null>,
): Promise<Refusal[]> {
  const refused: Refusal[] = [];
  // Lines that are not JSON at all (a torn or damaged write) need no loader to tell.
  const candidates: number[] = [];
  lines.forEach((line, index) => {
    try {
      JSON.parse(line);
      candidates.push(index);
    } catch (err) {
      refused.push({ index, line, reason: `not JSON: ${(err as Error).message}` });
    }
  });
  const search = async (indexes: readonly number[]): Promise<void> => {
    if (indexes.length === 0) return;
    const reason = await tryLoad(indexes.map((i) => lines[i] ?? ''));
    if (reason === null) return;
    if (indexes.length === 1) {
      const index = indexes[0] ?? 0;
      refused.push({ index, line: lines[index] ?? '', reason });
      return;
    }
    const half = Math.ceil(indexes.length / 2);
    await search(indexes.slice(0, half));
    await search(indexes.slice(half));
  };
  await search(candidates);
  return refused.sort((a, b) => a.index - b.index);
}
