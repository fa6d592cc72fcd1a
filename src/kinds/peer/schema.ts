import { HEX32_PATTERN, manifestDocumentSchema } from '../../manifest/schemas/common-schemas.js';

export const peerSpecSchema = {
  type: 'object',
  description:
    'A Secondary DNS peer (primary nameserver), with the API field names. Give either tsig (a managed ' +
    'SecondaryDnsTsig) or tsig_id (a TSIG cfgitops does not manage), not both.',
  additionalProperties: false,
  required: ['name'],
  properties: {
    name: {
      type: 'string',
      minLength: 1,
      maxLength: 255,
      description: 'The peer name as Cloudflare stores it — unique per account.',
    },
    ip: { type: 'string', format: 'ip', description: 'IPv4 or IPv6 address of the peer.' },
    port: {
      type: 'integer',
      minimum: 1,
      maximum: 65535,
      default: 53,
      description: 'DNS port of the peer (default 53).',
    },
    ixfr_enable: {
      type: 'boolean',
      default: false,
      description: 'Use IXFR instead of AXFR for zone transfers (default false: AXFR).',
    },
    tsig: {
      type: 'string',
      minLength: 1,
      description: 'metadata.name of a SecondaryDnsTsig in the same account; cfgitops fills in its id.',
    },
    tsig_id: {
      type: 'string',
      pattern: HEX32_PATTERN,
      description: 'The 32-hex id of a TSIG key that cfgitops does not manage.',
    },
  },
  not: { required: ['tsig', 'tsig_id'] },
} as const;

export const peerDocumentSchema = manifestDocumentSchema(
  'secondary-dns-peer.schema.json',
  'SecondaryDnsPeer',
  'A Secondary DNS peer: a primary nameserver Cloudflare transfers zones from (apiVersion cfgitops.dev/v1).',
  peerSpecSchema,
);
