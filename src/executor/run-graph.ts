/**
 * Runs a dependency graph of async tasks with a concurrency bound. Knows nothing about Cloudflare or state: the
 * executor hands it plan steps and a `run` function, and reads back who succeeded, failed or never ran.
 */

export interface GraphNode {
  id: string;
  dependsOn: readonly string[];
}

export type NodeOutcome =
  | { status: 'succeeded' }
  | { status: 'failed'; error: unknown }
  /** `dependency-failed`: some node in `blockedBy` failed or was skipped; `halted`: the run stopped first. */
  | { status: 'skipped'; reason: 'dependency-failed' | 'halted'; blockedBy: string[] };

export interface RunGraphOptions<N extends GraphNode> {
  /** At least 1. */
  concurrency: number;
  run(node: N): Promise<void>;
  /** Checked before each start: true stops new starts (SIGINT, a broken journal); running nodes finish. */
  halted(): boolean;
  onStart?(node: N): void;
  onSettled?(node: N, outcome: NodeOutcome): void;
}

/**
 * Starts ready nodes in the order given (the plan's execution order), never more than `concurrency` at once.
 * A dependency on an id that is not in the graph counts as satisfied: it names work that is not part of this run.
 * A dependency cycle cannot be ordered: its nodes fail rather than hang.
 */
export async function runGraph<N extends GraphNode>(
  nodes: readonly N[],
  options: RunGraphOptions<N>,
): Promise<Map<string, NodeOutcome>> {
  const limit = Math.max(1, Math.floor(options.concurrency));
  const ids = new Set(nodes.map((n) => n.id));
  const outcomes = new Map<string, NodeOutcome>();
  const waiting = [...nodes];
  const running = new Set<Promise<void>>();

  const settle = (node: N, outcome: NodeOutcome): void => {
    outcomes.set(node.id, outcome);
    options.onSettled?.(node, outcome);
  };

  for (;;) {
    // Sweep until nothing changes: skipping one node can unblock the skipping of its dependents.
    let progressed = true;
    while (progressed) {
      progressed = false;
      for (let i = 0; i < waiting.length; i++) {
        const node = waiting[i]!;
        const deps = node.dependsOn.filter((d) => ids.has(d));
        const blockedBy = deps.filter((d) => {
          const o = outcomes.get(d);
          return o !== undefined && o.status !== 'succeeded';
        });
        if (blockedBy.length > 0) {
          const halted = blockedBy.every((d) => {
            const o = outcomes.get(d);
            return o?.status === 'skipped' && o.reason === 'halted';
          });
          waiting.splice(i--, 1);
          settle(node, { status: 'skipped', reason: halted ? 'halted' : 'dependency-failed', blockedBy });
          progressed = true;
          continue;
        }
        if (running.size >= limit) continue;
        if (!deps.every((d) => outcomes.get(d)?.status === 'succeeded')) continue;
        if (options.halted()) continue;
        waiting.splice(i--, 1);
        progressed = true;
        options.onStart?.(node);
        const task: Promise<void> = options.run(node).then(
          () => {
            settle(node, { status: 'succeeded' });
          },
          (error: unknown) => {
            settle(node, { status: 'failed', error });
          },
        );
        const tracked = task.finally(() => running.delete(tracked));
        running.add(tracked);
      }
    }

    if (running.size > 0) {
      await Promise.race(running);
      continue;
    }
    if (waiting.length === 0) break;
    // Nothing runs and nothing can start: either the run was halted, or the rest waits on itself (a cycle).
    const halted = options.halted();
    for (const node of waiting.splice(0)) {
      settle(
        node,
        halted
          ? { status: 'skipped', reason: 'halted', blockedBy: [] }
          : { status: 'failed', error: new DependencyCycleError(node.id) },
      );
    }
  }
  return outcomes;
}

export class DependencyCycleError extends Error {
  override readonly name = 'DependencyCycleError';
  constructor(readonly nodeId: string) {
    super(`step ${nodeId} waits on a dependency cycle`);
  }
}
