import type { AppliedConfig, Intent, RecordedResource } from '../../../src/state/types.js';

export const ACCOUNT_A = '0123456789abcdef0123456789abcdef';
export const ACCOUNT_B = 'fedcba9876543210fedcba9876543210';

export function tokenResource(name: string, account = ACCOUNT_A, id = `id-${name}`): RecordedResource {
  return {
    kind: 'AccountToken',
    account,
    name,
    id,
    cf_name: `cf-${name}`,
    created_at: '2025-01-01T00:00:00.000Z',
    updated_at: '2025-01-01T00:00:00.000Z',
    sink: { sink: 'local', key: name },
    value_status: 'delivered',
    origin: 'created',
  };
}

export function createIntent(id: string, name: string, account = ACCOUNT_A): Intent {
  return {
    id,
    op: 'create',
    kind: 'AccountToken',
    account,
    name,
    cf_name: `cf-${name}`,
    started_at: '2025-01-01T00:00:00.000Z',
    sink: { sink: 'local', key: name },
  };
}

/** A snapshot with every sink type and every guardrail, so a round trip covers each shape the schema allows. */
export function appliedConfig(repository = 'acme/infra'): AppliedConfig {
  return {
    digest: 'f'.repeat(64),
    defaultSink: 'local',
    sinks: {
      local: { type: 'file', path: '.cfgitops/secrets.json', format: 'json' },
      sealed: { type: 'age', path: 'secrets', recipients: ['age1qyqszqgpqyqszqgpqyqszqgpqyqszqgp'], layout: 'yaml' },
      gh: {
        type: 'github-actions',
        repository,
        environment: 'prod',
        tokenEnv: 'GH_TOKEN',
        apiUrl: 'https://api.github.com',
      },
      hook: { type: 'exec', command: ['./store-token', '--name'], timeoutSeconds: 30 },
    },
    policy: {
      tokenMaxLifetimeDays: 90,
      forbiddenPermissionGroups: ['Account API Tokens Write'],
      wildcardNeedsIpCondition: true,
      peerAllowedCidrs: ['192.0.2.0/24'],
      peerAllowedPorts: [53],
    },
    applied_at: '2025-01-02T00:00:00.000Z',
  };
}
