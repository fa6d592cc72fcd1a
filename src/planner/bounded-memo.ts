/**
 * A pure function of a string, remembered per distinct argument: manifests repeat the same few CIDRs and dates across
 * thousands of resources, and the loader, guardrails and planner each look at every one. Bounded: once `limit`
 * answers are kept they are all forgotten (a long-running controller must not grow with what it has seen).
 */
export function boundedMemo<T>(compute: (text: string) => T, limit = 10_000): (text: string) => T {
  const memo = new Map<string, T>();
  return (text) => {
    const known = memo.get(text);
    if (known !== undefined || memo.has(text)) return known as T;
    if (memo.size >= limit) memo.clear();
    const answer = compute(text);
    memo.set(text, answer);
    return answer;
  };
}
