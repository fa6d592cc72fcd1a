/**
 * Which replica reconciles. With the PostgreSQL state backend every replica campaigns for one session-level
 * advisory lock per workspace (postgres-leadership.ts): the holder reconciles, the others stand by and serve health
 * and metrics. With the file backend there is one replica by definition (the state file is on one volume), so it
 * always leads; running two against one file is a configuration error that the state lock still makes safe.
 *
 * Leadership is about not doing the work twice, not about correctness: every apply still takes the state lock, so
 * even two replicas that both believed they led could not interleave writes.
 */
export interface Leadership {
  /** `postgres workspace=prod (…)` or `single replica (file state)`; never a password. */
  readonly describe: string;
  /** Campaigns until stopped; `onChange` fires on every change of role, `onNudge` when a standby asks for a cycle. */
  start(onChange: (leader: boolean) => void, onNudge: () => void): void;
  isLeader(): boolean;
  /** Asks the leader to reconcile now (a standby that got a webhook). False: there is no channel to the leader. */
  nudge(): Promise<boolean>;
  /** Gives leadership up (the lock is released at once, not when a timeout expires) and stops campaigning. */
  stop(): Promise<void>;
}

export function singleReplicaLeadership(): Leadership {
  let leading = false;
  return {
    describe: 'single replica (file state: one controller only)',
    start: (onChange) => {
      leading = true;
      onChange(true);
    },
    isLeader: () => leading,
    nudge: () => Promise.resolve(false),
    stop: () => {
      leading = false;
      return Promise.resolve();
    },
  };
}
