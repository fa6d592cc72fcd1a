import { cidrSchema, manifestDocumentSchema } from '../../manifest/schemas/common-schemas.js';

export const aclSpecSchema = {
  type: 'object',
  description:
    'A Secondary DNS ACL, with the API field names: an address range allowed to AXFR/IXFR the zones Cloudflare ' +
    'serves as primary, and to send NOTIFY for its secondary zones. Applies to the whole account.',
  additionalProperties: false,
  required: ['name', 'ip_range'],
  properties: {
    name: {
      type: 'string',
      minLength: 1,
      maxLength: 255,
      description: 'The ACL name as Cloudflare stores it — unique per account (how a crashed run finds it).',
    },
    ip_range: {
      ...cidrSchema,
      description:
        'IPv4 or IPv6 range, at most a /24 (IPv4) or a /64 (IPv6) as Cloudflare allows; a bare address is one host.',
    },
  },
} as const;

export const aclDocumentSchema = manifestDocumentSchema(
  'secondary-dns-acl.schema.json',
  'SecondaryDnsAcl',
  'A Secondary DNS ACL: addresses allowed to transfer zones from Cloudflare or notify it (apiVersion cfgitops.dev/v1).',
  aclSpecSchema,
);
