/**
 * age encryption for the `age` sink (age-encryption, the reference TypeScript implementation): values are encrypted
 * to public keys only, so the repository can hold them; reading back needs an identity (`AGE-SECRET-KEY-1…`).
 */
import { createRequire } from 'node:module';
import type * as AgeModule from 'age-encryption';

// age-encryption (and its post-quantum crypto, the heaviest import cfgitops has) is loaded when an age sink is used,
// not by every command. It is an ES module without top-level await: Node >= 20.19 requires it synchronously.
const require = createRequire(import.meta.url);
let age: typeof AgeModule | undefined;
const loadAge = (): typeof AgeModule => (age ??= require('age-encryption') as typeof AgeModule);

/**
 * Recipient kinds age-encryption 0.3 can encrypt to. ssh-ed25519 / ssh-rsa are not among them (the `age` CLI supports
 * them; convert with `ssh-to-age`).
 */
const RECIPIENT_PREFIX = /^age1(?:pq1|tag1|tagpq1)?[0-9a-z]+$/;

export interface RecipientProblem {
  index: number;
  problem: string;
}

/** Checks every recipient parses; returns the problems (index + why), never throwing. */
export function checkAgeRecipients(recipients: readonly string[]): RecipientProblem[] {
  const problems: RecipientProblem[] = [];
  if (recipients.length === 0) problems.push({ index: -1, problem: 'at least one recipient is needed' });
  recipients.forEach((r, index) => {
    if (r.startsWith('ssh-')) {
      problems.push({ index, problem: 'ssh recipients are not supported; convert the key with ssh-to-age' });
      return;
    }
    if (!RECIPIENT_PREFIX.test(r)) {
      problems.push({ index, problem: 'not an age recipient (expected age1…)' });
      return;
    }
    try {
      new (loadAge().Encrypter)().addRecipient(r);
    } catch {
      problems.push({ index, problem: 'not a valid age recipient (bad checksum or length)' });
    }
  });
  return problems;
}

/** The value encrypted to every recipient, ASCII-armored (`-----BEGIN AGE ENCRYPTED FILE-----`, final newline). */
export async function encryptArmored(recipients: readonly string[], plaintext: string): Promise<string> {
  const { Encrypter, armor } = loadAge();
  const e = new Encrypter();
  for (const r of recipients) e.addRecipient(r);
  return armor.encode(await e.encrypt(plaintext));
}

/** Decrypts an armored (or binary) age file with any of the identities. */
export async function decryptAge(file: string | Uint8Array, identities: readonly string[]): Promise<string> {
  const { Decrypter, armor } = loadAge();
  const d = new Decrypter();
  for (const id of identities) d.addIdentity(id);
  const bytes = typeof file === 'string' ? armor.decode(file) : isArmored(file) ? armor.decode(toText(file)) : file;
  return d.decrypt(bytes, 'text');
}

/** Identities from an age identity file (`age-keygen` output): comment lines skipped. */
export function parseIdentityFile(text: string): string[] {
  return text
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l.startsWith('AGE-SECRET-KEY-'));
}

function isArmored(bytes: Uint8Array): boolean {
  return toText(bytes.subarray(0, 64)).trimStart().startsWith('-----BEGIN AGE ENCRYPTED FILE-----');
}

function toText(bytes: Uint8Array): string {
  return new TextDecoder().decode(bytes);
}
