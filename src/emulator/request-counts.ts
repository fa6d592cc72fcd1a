/** Requests seen per operationId and outcome (HTTP status, or the fault that ate the answer). */
export class RequestCounts {
  readonly #counts = new Map<string, Map<string, number>>();

  add(operationId: string, outcome: number | 'reset' | 'hang' | 'commit-then-drop'): void {
    let byOutcome = this.#counts.get(operationId);
    if (!byOutcome) {
      byOutcome = new Map();
      this.#counts.set(operationId, byOutcome);
    }
    const key = String(outcome);
    byOutcome.set(key, (byOutcome.get(key) ?? 0) + 1);
  }

  get total(): number {
    let n = 0;
    for (const byOutcome of this.#counts.values()) for (const c of byOutcome.values()) n += c;
    return n;
  }

  toJSON(): { total: number; byOperation: Record<string, Record<string, number>> } {
    const byOperation: Record<string, Record<string, number>> = {};
    for (const [op, byOutcome] of this.#counts) byOperation[op] = Object.fromEntries(byOutcome);
    return { total: this.total, byOperation };
  }

  clear(): void {
    this.#counts.clear();
  }
}
