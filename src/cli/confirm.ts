/**
 * The interactive "apply these changes?" question. Asked only on a terminal; anywhere else cfgitops never waits for
 * input (CI jobs would hang) and requires --auto-approve or a saved plan instead.
 */
import { createInterface } from 'node:readline/promises';
import type { App } from '../app.js';

export async function askYes(app: App, question: string): Promise<boolean> {
  const stdin = app.stdin;
  if (!stdin || stdin.isTTY !== true) return false;
  const rl = createInterface({ input: stdin, output: process.stderr, terminal: true });
  try {
    const answer = await rl.question(`${question} Only 'yes' will be accepted: `);
    return answer.trim() === 'yes';
  } finally {
    rl.close();
  }
}

export function canAsk(app: App): boolean {
  return app.stdin?.isTTY === true;
}
