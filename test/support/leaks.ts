/**
 * The third layer of secret hygiene: after a scenario, scan everything it printed or wrote for every secret the
 * emulator ever minted or stored (token values, TSIG secrets), the credentials in the environment, and their
 * base64 forms. A hit names the secret's kind and where, never the value.
 */
import { expect } from 'vitest';
import { TOKEN_VALUE_SHAPE } from '../../src/secret.js';
import type { TestEmulator } from './emulator.js';

export async function knownSecrets(
  emulator: TestEmulator,
  env: Record<string, string | undefined> = {},
): Promise<{ kind: string; value: string }[]> {
  const res = await emulator.control('GET', '/secrets');
  const listed = (res.body as { secrets: ({ kind?: string; value: string } | string)[] }).secrets;
  const secrets = listed.map((s) =>
    typeof s === 'string' ? { kind: 'secret', value: s } : { kind: s.kind ?? 'secret', value: s.value },
  );
  secrets.push({ kind: 'api token', value: emulator.apiToken });
  for (const name of ['CLOUDFLARE_API_TOKEN', 'CLOUDFLARE_API_KEY', 'GITHUB_TOKEN']) {
    const v = env[name];
    if (v) secrets.push({ kind: name, value: v });
  }
  return secrets.filter((s) => s.value.length >= 8);
}

export async function assertNoSecretIn(
  emulator: TestEmulator,
  texts: readonly string[],
  env: Record<string, string | undefined> = {},
): Promise<void> {
  const secrets = await knownSecrets(emulator, env);
  const hits: string[] = [];
  texts.forEach((text, i) => {
    for (const s of secrets) {
      const forms = [s.value, Buffer.from(s.value).toString('base64')];
      if (forms.some((f) => text.includes(f))) hits.push(`${s.kind} found in output #${i}`);
    }
    // Any token value by its shape, even one this emulator never minted (another run's, a real one pasted in).
    if (new RegExp(TOKEN_VALUE_SHAPE.source).test(text)) hits.push(`a cfat_ token value found in output #${i}`);
  });
  expect(hits, 'secrets leaked into outputs').toEqual([]);
  expect(secrets.length).toBeGreaterThan(0);
}
