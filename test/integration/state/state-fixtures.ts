import type { Intent, RecordedResource } from '../../../src/state/types.js';

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
