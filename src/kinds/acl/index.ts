/** `SecondaryDnsAcl`: an address range (account level) allowed to transfer primary zones and to notify secondary ones. */
import type { KindDefinition } from '../kind.js';
import { desiredResource } from '../desired-resource.js';
import type { AclSpec, DesiredAcl } from '../../manifest/types.js';
import { aclsApi } from './api.js';
import { createAcl, deleteAcl, updateAcl } from './execute.js';
import { aclExport } from './export.js';
import { aclAdapter } from './plan.js';
import { checkAcl, checkAclSpec } from './policy.js';
import { aclDocumentSchema } from './schema.js';

export type { AclsApi as AclApi } from './api.js';

export const aclKind: KindDefinition<'SecondaryDnsAcl'> = {
  kind: 'SecondaryDnsAcl',
  noun: 'ACL',
  shorthands: ['acl'],
  liveKey: 'acls',
  document: { file: 'secondary-dns-acl.schema.json', schema: aclDocumentSchema },
  references: [],
  observeAlso: [],
  needsPermissionGroups: false,
  hasValue: false,
  createCalls: 1,
  build(raw, base): DesiredAcl {
    const spec = raw as AclSpec;
    return desiredResource(base, 'SecondaryDnsAcl', { name: spec.name, ip_range: spec.ip_range });
  },
  checkSpec: checkAclSpec,
  adapter: (_ctx, d) => aclAdapter(d),
  policy: checkAcl,
  list: (api, account, _scope, signal) => api.listAcls(account, signal),
  api: aclsApi,
  create: createAcl,
  update: updateAcl,
  delete: deleteAcl,
  async liveName(api, account, id) {
    return (await api.listAcls(account)).find((a) => a.id === id)?.name;
  },
  export: aclExport,
  emulatorRoutes: async () => (await import('./emulator.js')).ROUTES,
};
