/** `SecondaryDnsPeer`: a primary nameserver (account level) Cloudflare transfers zones from, or notifies. */
import type { KindDefinition } from '../kind.js';
import { desiredResource } from '../desired-resource.js';
import type { DesiredPeer, PeerSpec } from '../../manifest/types.js';
import { peersApi } from './api.js';
import { createPeer, deletePeer, updatePeer } from './execute.js';
import { peerExport } from './export.js';
import { addressKey } from '../../resources.js';
import { peerPlanned } from '../zone-link/plan.js';
import { peerAdapter, peerUnfinished } from './plan.js';
import { checkPeer } from './policy.js';
import { peerDocumentSchema } from './schema.js';

export type { PeersApi as PeerApi } from './api.js';

export const peerKind: KindDefinition<'SecondaryDnsPeer'> = {
  kind: 'SecondaryDnsPeer',
  noun: 'peer',
  shorthands: ['peer'],
  liveKey: 'peers',
  document: { file: 'secondary-dns-peer.schema.json', schema: peerDocumentSchema },
  references: [
    {
      field: 'tsig',
      target: 'SecondaryDnsTsig',
      hint: 'tsig takes the metadata.name of a SecondaryDnsTsig in the same account; use tsig_id for an unmanaged key',
    },
  ],
  // Export writes a managed TSIG's name for a peer's `tsig_id`: it reads the TSIG list.
  observeAlso: ['SecondaryDnsTsig', 'SecondaryDnsIncoming', 'SecondaryDnsOutgoing'],
  needsPermissionGroups: false,
  hasValue: false,
  createCalls: 2,
  build(raw, base): DesiredPeer {
    const spec = raw as Partial<PeerSpec> & { name: string };
    // `{ ...spec, port, ixfr_enable }`, without a hidden class per peer (desired-resource.ts).
    const built = Object.assign({}, spec, { port: spec.port ?? 53, ixfr_enable: spec.ixfr_enable ?? false });
    return desiredResource(base, 'SecondaryDnsPeer', built);
  },
  adapter: peerAdapter,
  planned: (d, step, out) => {
    peerPlanned(addressKey(d.address), step, out);
  },
  unfinished: peerUnfinished,
  policy: checkPeer,
  list: (api, account, _scope, signal) => api.listPeers(account, signal),
  api: peersApi,
  create: createPeer,
  update: updatePeer,
  delete: deletePeer,
  adoptedFields: (ctx) => ({ complete: ctx.step.diff.length === 0 }),
  updatedFields: { complete: true },
  async liveName(api, account, id) {
    return (await api.listPeers(account)).find((p) => p.id === id)?.name;
  },
  importedFields: () => ({ complete: true }),
  export: peerExport,
  emulatorRoutes: async () => (await import('./emulator.js')).ROUTES,
};
