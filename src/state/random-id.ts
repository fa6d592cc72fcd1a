/** A hex id built from an injected `random()` (tests make lineages and lock ids reproducible). */
export function randomId(random: () => number, bytes = 16): string {
  let out = '';
  for (let i = 0; i < bytes; i++) {
    out += Math.floor(random() * 256)
      .toString(16)
      .padStart(2, '0');
  }
  return out;
}
