/**
 * A saved plan pins every TSIG secret it was made with, so `apply PLAN` refuses when one changed in between (the
 * apply would otherwise send a secret nobody planned with). The saved plan is shared (a CI artifact anyone with read
 * access to the repository can download), so a pin must not be an oracle for guessing the secret: each is scrypt
 * (memory-hard; N=2^15, r=8, p=1) over the secret, salted with a random salt per plan and the resource's address.
 * TSIG secrets are random keys; scrypt makes even a weak one expensive to guess, and the salt makes every plan's
 * pins unlike any other's.
 */
import { randomBytes, scrypt, timingSafeEqual } from 'node:crypto';
import type { ResolvedSecrets } from '../manifest/types.js';

export interface SecretPins {
  /** How the digests were made; a plan naming another scheme is refused as unreadable. */
  kdf: typeof KDF;
  /** base64 */
  salt: string;
  /** addressKey → base64 digest, one per TSIG secret the manifests resolved. */
  digests: Record<string, string>;
}

const KDF = 'scrypt:N=32768,r=8,p=1,len=32';
const PARAMS = { N: 32768, r: 8, p: 1, maxmem: 64 * 1024 * 1024 };

function digest(secret: string, salt: Buffer, address: string): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const keyed = Buffer.concat([salt, Buffer.from(`\0${address}`, 'utf8')]);
    scrypt(secret, keyed, 32, PARAMS, (err, key) => {
      if (err) reject(err);
      else resolve(key);
    });
  });
}

export async function pinSecrets(secrets: ResolvedSecrets, salt: Buffer = randomBytes(16)): Promise<SecretPins> {
  const entries = await Promise.all(
    [...secrets].map(async ([address, secret]) => {
      const d = await digest(secret.reveal(), salt, address);
      return [address, d.toString('base64')] as const;
    }),
  );
  entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return { kdf: KDF, salt: salt.toString('base64'), digests: Object.fromEntries(entries) };
}

/** The addresses whose secret differs from the pin: changed, added or no longer resolved. Sorted. */
export async function changedSecrets(pins: SecretPins, secrets: ResolvedSecrets): Promise<string[]> {
  const salt = Buffer.from(pins.salt, 'base64');
  const changed = new Set<string>();
  for (const address of Object.keys(pins.digests)) if (!secrets.has(address)) changed.add(address);
  await Promise.all(
    [...secrets].map(async ([address, secret]) => {
      const pinned = pins.digests[address];
      if (pinned === undefined) {
        changed.add(address);
        return;
      }
      const now = await digest(secret.reveal(), salt, address);
      const before = Buffer.from(pinned, 'base64');
      if (before.length !== now.length || !timingSafeEqual(before, now)) changed.add(address);
    }),
  );
  return [...changed].sort();
}

export function isSecretPins(v: unknown): v is SecretPins {
  if (typeof v !== 'object' || v === null) return false;
  const p = v as Partial<SecretPins>;
  return (
    p.kdf === KDF &&
    typeof p.salt === 'string' &&
    typeof p.digests === 'object' &&
    p.digests !== null &&
    Object.values(p.digests).every((d) => typeof d === 'string')
  );
}
