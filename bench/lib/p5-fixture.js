// The P5 workload written twice: as a cfgitops manifest tree, and as the JSON spec the SDK script reads. 200 tokens,
// 50 TSIG keys and 50 peers in one account — a platform team's everyday Secondary DNS + tokens setup.
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';

export const ACCOUNT = '0123456789abcdef0123456789abcdef';
// A made-up example key (base64): benchmarks never talk to a real nameserver.
const TSIG_SECRET = 'YmVuY2htYXJrLWV4YW1wbGUta2V5LW5vdC1zZWNyZXQ=';

export function p5Spec({ tokens = 200, tsigs = 50, peers = 50 } = {}) {
  return {
    account: ACCOUNT,
    tokens: Array.from({ length: tokens }, (_, i) => ({
      key: `token-${i}`,
      name: `p5 token ${i}`,
      policies: [
        {
          effect: 'allow',
          permissionGroups: ['DNS Read'],
          resources: { [`com.cloudflare.api.account.${ACCOUNT}`]: '*' },
        },
      ],
    })),
    tsigs: Array.from({ length: tsigs }, (_, i) => ({
      key: `tsig-${i}`,
      name: `tsig-${i}.example.com.`,
      algo: 'hmac-sha256.',
      secret: TSIG_SECRET,
    })),
    peers: Array.from({ length: peers }, (_, i) => ({
      key: `peer-${i}`,
      name: `ns-${i}.example.net`,
      ip: `192.0.2.${(i % 250) + 1}`,
      port: 53,
      ixfr_enable: i % 2 === 0,
    })),
  };
}

/**
 * Writes the spec as a manifest tree into `dir` (cfgitops.yaml with `api` when given — omitted, cfgitops' defaults
 * apply), and the spec itself as `spec.json` for the SDK script.
 */
export async function writeP5Tree(dir, spec, api) {
  await mkdir(path.join(dir, 'secrets'), { recursive: true });
  await writeFile(path.join(dir, 'secrets', 'tsig.key'), `${TSIG_SECRET}\n`);
  await writeFile(path.join(dir, 'spec.json'), JSON.stringify(spec));
  const config = [
    'apiVersion: cfgitops.dev/v1',
    'kind: Config',
    'spec:',
    '  accounts:',
    `    main: "${spec.account}"`,
    ...(api
      ? [
          '  api:',
          `    concurrency: ${api.concurrency}`,
          '    rateLimit:',
          `      requests: ${api.requests}`,
          `      windowSeconds: ${api.windowSeconds}`,
        ]
      : []),
    '',
  ].join('\n');
  await writeFile(path.join(dir, 'cfgitops.yaml'), config);
  const tokens = spec.tokens.map(
    (t) =>
      `apiVersion: cfgitops.dev/v1\nkind: AccountToken\nmetadata:\n  name: ${t.key}\n  account: main\nspec:\n` +
      `  name: ${t.name}\n  policies:\n` +
      t.policies
        .map(
          (p) =>
            `    - effect: ${p.effect}\n      permission_groups:\n` +
            p.permissionGroups.map((g) => `        - name: ${g}\n`).join('') +
            `      resources:\n` +
            Object.entries(p.resources)
              .map(([k, v]) => `        ${k}: "${v}"\n`)
              .join(''),
        )
        .join(''),
  );
  const tsigs = spec.tsigs.map(
    (t) =>
      `apiVersion: cfgitops.dev/v1\nkind: SecondaryDnsTsig\nmetadata:\n  name: ${t.key}\n  account: main\nspec:\n` +
      `  name: ${t.name}\n  algo: ${t.algo}\n  secret:\n    fromFile: secrets/tsig.key\n`,
  );
  const peers = spec.peers.map(
    (p) =>
      `apiVersion: cfgitops.dev/v1\nkind: SecondaryDnsPeer\nmetadata:\n  name: ${p.key}\n  account: main\nspec:\n` +
      `  name: ${p.name}\n  ip: ${p.ip}\n  port: ${p.port}\n  ixfr_enable: ${p.ixfr_enable}\n`,
  );
  await writeFile(path.join(dir, 'tokens.yaml'), tokens.join('---\n'));
  await writeFile(path.join(dir, 'tsigs.yaml'), tsigs.join('---\n'));
  await writeFile(path.join(dir, 'peers.yaml'), peers.join('---\n'));
}
