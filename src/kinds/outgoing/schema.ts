import { manifestDocumentSchema } from '../../manifest/schemas/common-schemas.js';
import { peersSchema, zoneNameSchema, zoneRefSchema } from '../zone-link/schema-parts.js';

export const outgoingSpecSchema = {
  type: 'object',
  description:
    'Outgoing zone transfers: Cloudflare is the primary, notifies the peers and lets them (and the ACLs) transfer the zone.',
  additionalProperties: false,
  required: ['zone', 'peers'],
  properties: {
    zone: zoneRefSchema,
    name: zoneNameSchema,
    peers: peersSchema,
    enabled: {
      type: 'boolean',
      default: true,
      description: 'Outgoing transfers enabled (POST …/outgoing/enable) or disabled (…/disable). Default true.',
    },
  },
} as const;

export const outgoingDocumentSchema = manifestDocumentSchema(
  'secondary-dns-outgoing.schema.json',
  'SecondaryDnsOutgoing',
  'A primary zone transfer link: which peers Cloudflare sends a zone to (apiVersion cfgitops.dev/v1).',
  outgoingSpecSchema,
);
