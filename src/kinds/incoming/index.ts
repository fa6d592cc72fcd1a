/** `SecondaryDnsIncoming`: Cloudflare is the secondary of a zone (of type secondary) and transfers it from peers. */
import { defineZoneLink } from '../zone-link/define.js';
import { DEFAULT_AUTO_REFRESH_SECONDS } from '../zone-link/compare.js';
import { zoneLinkExport } from '../zone-link/export.js';
import { incomingDocumentSchema } from './schema.js';

export const incomingKind = defineZoneLink({
  kind: 'SecondaryDnsIncoming',
  dir: 'incoming',
  noun: 'incoming zone transfer',
  shorthands: ['incoming'],
  liveKey: 'incoming',
  document: { file: 'secondary-dns-incoming.schema.json', schema: incomingDocumentSchema },
  extra: (spec) => ({
    auto_refresh_seconds:
      typeof spec['auto_refresh_seconds'] === 'number' ? spec['auto_refresh_seconds'] : DEFAULT_AUTO_REFRESH_SECONDS,
  }),
  export: zoneLinkExport('SecondaryDnsIncoming', 'incoming'),
  emulatorRoutes: async () => (await import('../zone-link/emulator.js')).INCOMING_ROUTES,
});
