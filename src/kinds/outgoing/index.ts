/** `SecondaryDnsOutgoing`: Cloudflare is the primary of a zone and sends it to peers; `enabled` switches transfers. */
import { defineZoneLink } from '../zone-link/define.js';
import { zoneLinkExport } from '../zone-link/export.js';
import { outgoingDocumentSchema } from './schema.js';

export const outgoingKind = defineZoneLink({
  kind: 'SecondaryDnsOutgoing',
  dir: 'outgoing',
  noun: 'outgoing zone transfer',
  shorthands: ['outgoing'],
  liveKey: 'outgoing',
  document: { file: 'secondary-dns-outgoing.schema.json', schema: outgoingDocumentSchema },
  extra: (spec) => ({ enabled: typeof spec['enabled'] === 'boolean' ? spec['enabled'] : true }),
  export: zoneLinkExport('SecondaryDnsOutgoing', 'outgoing'),
  emulatorRoutes: async () => (await import('../zone-link/emulator.js')).OUTGOING_ROUTES,
});
