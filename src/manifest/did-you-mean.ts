/** "did you mean AccountToken?" for misspelt kinds, fields and enum values. */

export function didYouMean(input: string, candidates: readonly string[]): string | undefined {
  const needle = input.toLowerCase();
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of candidates) {
    const d = editDistance(needle, candidate.toLowerCase());
    if (d < bestDistance) {
      bestDistance = d;
      best = candidate;
    }
  }
  // Within a third of the length: close enough to be a typo, far enough not to suggest nonsense.
  const limit = Math.max(1, Math.floor(input.length / 3));
  return best !== undefined && bestDistance <= limit ? best : undefined;
}

export function didYouMeanHint(input: string, candidates: readonly string[]): string | undefined {
  const match = didYouMean(input, candidates);
  return match === undefined ? undefined : `did you mean ${match}?`;
}

function editDistance(a: string, b: string): number {
  if (Math.abs(a.length - b.length) > 16) return Infinity;
  let prev = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      row.push(Math.min(prev[j]! + 1, row[j - 1]! + 1, prev[j - 1]! + cost));
    }
    prev = row;
  }
  return prev[b.length]!;
}
