import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startClientHarness, type ClientHarness } from './client-harness.js';

const DNS_READ = '82e64a83756745bbbb1c9c2701bf816b';
let h: ClientHarness;

beforeAll(async () => {
  h = await startClientHarness();
  for (let i = 0; i < 130; i++) {
    await h.client.createToken(h.account, {
      name: `page-token-${String(i).padStart(3, '0')}`,
      policies: [
        {
          effect: 'allow',
          permission_groups: [{ id: DNS_READ }],
          resources: { [`com.cloudflare.api.account.${h.account}`]: '*' },
        },
      ],
    });
  }
});
afterAll(async () => {
  h.assertContract();
  await h.close();
});

describe('token pagination', () => {
  test('GIVEN 130 tokens WHEN listed THEN all 130 come back from exactly 3 pages of 50', async () => {
    const before = h.sent.length;
    const tokens = await h.client.listTokens(h.account);
    expect(tokens).toHaveLength(130);
    expect(new Set(tokens.map((t) => t.id)).size).toBe(130);
    const pages = h.sent.slice(before).map((s) => new URL(s.path, 'http://x').searchParams);
    expect(pages.map((q) => [q.get('page'), q.get('per_page')])).toEqual([
      ['1', '50'],
      ['2', '50'],
      ['3', '50'],
    ]);
  });
});
