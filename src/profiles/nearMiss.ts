/**
 * The name among `names` that `typed` most likely meant: the closest by edit distance (a letter added, dropped,
 * changed, or two neighbours swapped: `prod-amdin` for `prod-admin`), ignoring case, within about one edit in four
 * letters. Undefined when nothing is that close. Names far longer than anything typed are not compared, so a
 * config of thousands of profiles costs a few milliseconds, on the error path only.
 */
export function nearMiss(typed: string, names: Iterable<string>): string | undefined {
  const wanted = typed.toLowerCase();
  const limit = Math.max(1, Math.floor(wanted.length / 4));
  let best: string | undefined;
  let bestDistance = limit + 1;
  for (const name of names) {
    if (name === typed || Math.abs(name.length - wanted.length) > limit || name.length > 200) continue;
    const distance = editDistance(wanted, name.toLowerCase(), bestDistance);
    if (distance < bestDistance) {
      best = name;
      bestDistance = distance;
    }
  }
  return best;
}

/** Optimal string alignment distance, or `cap` (or more) once it is clear the distance reaches it. */
function editDistance(a: string, b: string, cap: number): number {
  let before = new Array<number>(b.length + 1).fill(0);
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    let rowMin = i;
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let d = Math.min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d = Math.min(d, before[j - 2] + 1);
      current.push(d);
      rowMin = Math.min(rowMin, d);
    }
    if (rowMin >= cap) return cap;
    before = previous;
    previous = current;
  }
  return previous[b.length];
}
