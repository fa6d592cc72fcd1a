/** `SecondaryDnsTsig`: a TSIG key (account level) that peers authenticate zone transfers with. */
import type { KindDefinition } from '../kind.js';
import { desiredResource } from '../desired-resource.js';
import type { DesiredTsig, TsigSpec } from '../../manifest/types.js';
import { tsigsApi } from './api.js';
import { createTsig, deleteTsig, updateTsig } from './execute.js';
import { tsigExport } from './export.js';
import { tsigAdapter, tsigPlanned } from './plan.js';
import { tsigDocumentSchema } from './schema.js';

export type { TsigsApi as TsigApi } from './api.js';

export const tsigKind: KindDefinition<'SecondaryDnsTsig'> = {
  kind: 'SecondaryDnsTsig',
  noun: 'TSIG key',
  shorthands: ['tsig'],
  liveKey: 'tsigs',
  document: { file: 'secondary-dns-tsig.schema.json', schema: tsigDocumentSchema },
  references: [],
  // The zone links of the peers that use it guard its delete.
  observeAlso: ['SecondaryDnsIncoming', 'SecondaryDnsOutgoing'],
  needsPermissionGroups: false,
  hasValue: false,
  createCalls: 1,
  build(raw, base): DesiredTsig {
    const spec = raw as TsigSpec;
    return desiredResource(base, 'SecondaryDnsTsig', {
      name: spec.name,
      algo: spec.algo,
      secret: { ...spec.secret },
    });
  },
  adapter: tsigAdapter,
  planned: tsigPlanned,
  list: (api, account, _scope, signal) => api.listTsigs(account, signal),
  api: tsigsApi,
  create: createTsig,
  update: updateTsig,
  delete: deleteTsig,
  async liveName(api, account, id) {
    return (await api.listTsigs(account)).find((t) => t.id === id)?.name;
  },
  export: tsigExport,
  emulatorRoutes: async () => (await import('./emulator.js')).ROUTES,
};
