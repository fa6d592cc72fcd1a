import { manifestDocumentSchema } from '../../manifest/schemas/common-schemas.js';
import { peersSchema, zoneNameSchema, zoneRefSchema } from '../zone-link/schema-parts.js';

export const incomingSpecSchema = {
  type: 'object',
  description:
    'Incoming zone transfers: Cloudflare is the secondary and transfers the zone (of type secondary) from the peers.',
  additionalProperties: false,
  required: ['zone', 'peers'],
  properties: {
    zone: zoneRefSchema,
    name: zoneNameSchema,
    peers: peersSchema,
    auto_refresh_seconds: {
      type: 'integer',
      minimum: 300,
      default: 86400,
      description: 'How often the zone is refreshed regardless of NOTIFY, in seconds (at least 300; default 86400).',
    },
  },
} as const;

export const incomingDocumentSchema = manifestDocumentSchema(
  'secondary-dns-incoming.schema.json',
  'SecondaryDnsIncoming',
  'A secondary zone transfer link: which peers Cloudflare transfers a zone from (apiVersion cfgitops.dev/v1).',
  incomingSpecSchema,
);
