/**
 * age keys and decryption for tests. Reading what the age sink wrote needs no `age` CLI: the keys and the reads use
 * age-encryption (the library the sink itself uses, the reference TypeScript implementation), so those tests run on
 * any machine. Interop with the real `age` CLI is its own test, run where `age` is on PATH
 * (`describeWithAgeCli`): skipped elsewhere with one line saying how to run it, and a failure under CI=true, where
 * .ci/run installs it.
 */
import { execFileSync } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { generateIdentity, identityToRecipient } from 'age-encryption';
import { describe, test } from 'vitest';
import { decryptAge } from '../../src/secrets/age-crypto.js';

export interface AgeKey {
  /** An identity file in `age-keygen`'s format (usable by `age -d -i`). */
  identityFile: string;
  identity: string;
  recipient: string;
}

/** A fresh X25519 identity written to `<dir>/<name>` the way `age-keygen -o` writes it (mode 0600). */
export async function ageKeygen(dir: string, name = 'age-identity.txt'): Promise<AgeKey> {
  const identity = await generateIdentity();
  const recipient = await identityToRecipient(identity);
  const identityFile = join(dir, name);
  const created = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
  await writeFile(identityFile, `# created: ${created}\n# public key: ${recipient}\n${identity}\n`, { mode: 0o600 });
  return { identityFile, identity, recipient };
}

/** Decrypts an armored age file (what the sink writes) with the library. */
export function ageDecrypt(key: Pick<AgeKey, 'identity'>, armored: string): Promise<string> {
  return decryptAge(armored, [key.identity]);
}

function ageOnPath(): boolean {
  try {
    execFileSync('age', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

export const HAS_AGE_CLI = ageOnPath();

/**
 * `describe` for tests that run the real `age` CLI. Without it: skipped with one notice line; under CI=true a
 * missing CLI is a failing test instead, so CI never passes without the interop check.
 */
export function describeWithAgeCli(name: string, body: () => void): void {
  if (HAS_AGE_CLI) {
    describe(name, body);
    return;
  }
  if (process.env['CI'] === 'true') {
    test(`${name}: the age CLI is installed (CI=true)`, () => {
      throw new Error('CI=true but `age` is not on PATH: .ci/run installs it (apt-get install age)');
    });
    return;
  }
  process.stderr.write(`[age] skipped "${name}": the age CLI is not on PATH; to run it: apt-get install age\n`);
  describe.skip(name, body);
}
