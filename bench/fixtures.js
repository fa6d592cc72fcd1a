// Writes a tree of N manifests (a mix of TSIG keys, peers and tokens across several accounts) for benchmarks.
// Reused by other benchmarks (plan, apply): `await writeManifestTree({ resources: 1000 })`.
import { mkdtemp, mkdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

const hex32 = (n) => n.toString(16).padStart(32, '0');

/**
 * @param {{ resources?: number, files?: number, accounts?: number, dir?: string }} [options]
 * @returns {Promise<{ dir: string, files: string[], accounts: Record<string, string>,
 *   counts: { SecondaryDnsTsig: number, SecondaryDnsPeer: number, AccountToken: number } }>}
 */
export async function writeManifestTree(options = {}) {
  const total = options.resources ?? 1000;
  const fileCount = Math.max(1, Math.min(options.files ?? 10, total));
  const accountCount = options.accounts ?? 4;
  const dir = options.dir ?? (await mkdtemp(path.join(tmpdir(), 'cfgitops-bench-')));
  await mkdir(path.join(dir, 'secrets'), { recursive: true });
  // A made-up example key (base64), the same for every TSIG: benchmarks never talk to a real nameserver.
  await writeFile(path.join(dir, 'secrets', 'tsig.key'), 'YmVuY2htYXJrLWV4YW1wbGUta2V5LW5vdC1zZWNyZXQ=\n');

  const accounts = {};
  for (let a = 0; a < accountCount; a++) accounts[`acct${a}`] = hex32(0xacc0000 + a);
  const config = [
    'apiVersion: cfgitops.dev/v1',
    'kind: Config',
    'spec:',
    '  accounts:',
    ...Object.entries(accounts).map(([alias, id]) => `    ${alias}: "${id}"`),
    '',
  ].join('\n');
  await writeFile(path.join(dir, 'cfgitops.yaml'), config);

  const counts = { SecondaryDnsTsig: 0, SecondaryDnsPeer: 0, AccountToken: 0 };
  const docs = [];
  for (let i = 0; i < total; i++) {
    const alias = `acct${i % accountCount}`;
    const slot = i % 10; // 1 in 10 TSIG, 2 in 10 peers, 7 in 10 tokens
    if (slot === 0) {
      counts.SecondaryDnsTsig++;
      docs.push(tsig(i, alias));
    } else if (slot <= 2) {
      counts.SecondaryDnsPeer++;
      // The TSIG declared at i - slot has the same account (same i % accountCount when accountCount divides 10).
      const tsigIndex = i - slot;
      docs.push(peer(i, alias, tsigIndex % accountCount === i % accountCount ? tsigIndex : undefined));
    } else {
      counts.AccountToken++;
      docs.push(token(i, alias, accounts[alias]));
    }
  }
  const files = [];
  const perFile = Math.ceil(docs.length / fileCount);
  for (let f = 0; f < fileCount; f++) {
    const chunk = docs.slice(f * perFile, (f + 1) * perFile);
    if (chunk.length === 0) break;
    const sub = path.join(dir, `group-${String(f % 10).padStart(2, '0')}`);
    await mkdir(sub, { recursive: true });
    const file = path.join(sub, `resources-${String(f).padStart(4, '0')}.yaml`);
    // Manifests in subdirectories point at ../secrets.
    await writeFile(file, chunk.join('---\n').replaceAll('fromFile: secrets/', 'fromFile: ../secrets/'));
    files.push(file);
  }
  return { dir, files, accounts, counts };
}

function tsig(i, alias) {
  return `apiVersion: cfgitops.dev/v1
kind: SecondaryDnsTsig
metadata:
  name: tsig-${i}
  account: ${alias}
spec:
  name: tsig-${i}.example.com.
  algo: hmac-sha256.
  secret:
    fromFile: secrets/tsig.key
`;
}

function peer(i, alias, tsigIndex) {
  const ref = tsigIndex === undefined ? '' : `  tsig: tsig-${tsigIndex}\n`;
  return `apiVersion: cfgitops.dev/v1
kind: SecondaryDnsPeer
metadata:
  name: peer-${i}
  account: ${alias}
spec:
  name: ns-${i}.example.com
  ip: 192.0.${(i >> 8) & 255}.${i & 255}
  port: 53
  ixfr_enable: ${i % 2 === 0}
${ref}`;
}

function token(i, alias, accountId) {
  return `apiVersion: cfgitops.dev/v1
kind: AccountToken
metadata:
  name: token-${i}
  account: ${alias}
  annotations:
    team: team-${i % 7}
spec:
  name: bench token ${i}
  policies:
    - effect: allow
      permission_groups:
        - name: DNS Write
        - name: Zone Read
      resources:
        com.cloudflare.api.account.${accountId}:
          com.cloudflare.api.account.zone.*: "*"
    - effect: deny
      permission_groups:
        - name: Logs Read
          scope: zone
      resources:
        com.cloudflare.api.account.zone.${hex32(i)}: "*"
  condition:
    request_ip:
      in: [198.51.100.0/24, "2001:db8::/32"]
  expires_on: 2099-01-01T00:00:00Z
  secret:
    key: TOKEN_${i}
`;
}
