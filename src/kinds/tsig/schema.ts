import { manifestDocumentSchema } from '../../manifest/schemas/common-schemas.js';

export const TSIG_ALGORITHMS = [
  'hmac-md5.sig-alg.reg.int.',
  'hmac-sha1.',
  'hmac-sha224.',
  'hmac-sha256.',
  'hmac-sha384.',
  'hmac-sha512.',
] as const;

export const secretReferenceSchema = {
  description:
    'Where the secret comes from; never written inline. {fromEnv: VAR} reads an environment variable; ' +
    '{fromFile: path} reads a file relative to this manifest (one trailing newline is trimmed), which must stay ' +
    'inside the repository.',
  oneOf: [
    {
      type: 'object',
      additionalProperties: false,
      required: ['fromEnv'],
      properties: {
        fromEnv: {
          type: 'string',
          pattern: '^[A-Za-z_][A-Za-z0-9_]*$',
          description: 'Name of the environment variable that holds the secret.',
        },
      },
    },
    {
      type: 'object',
      additionalProperties: false,
      required: ['fromFile'],
      properties: {
        fromFile: {
          type: 'string',
          minLength: 1,
          description: 'Path of the file that holds the secret, relative to this manifest file.',
        },
      },
    },
  ],
} as const;

export const tsigSpecSchema = {
  type: 'object',
  description: 'A Secondary DNS TSIG key (zone transfers), with the field names of the Cloudflare API.',
  additionalProperties: false,
  required: ['name', 'algo', 'secret'],
  properties: {
    name: {
      type: 'string',
      minLength: 1,
      maxLength: 255,
      description: 'The TSIG key name as Cloudflare stores it, e.g. tsig.example.com. — unique per account.',
    },
    algo: {
      type: 'string',
      enum: TSIG_ALGORITHMS,
      description: 'TSIG algorithm, spelled as the API does, with its trailing dot (e.g. hmac-sha512.).',
    },
    secret: secretReferenceSchema,
  },
} as const;

export const tsigDocumentSchema = manifestDocumentSchema(
  'secondary-dns-tsig.schema.json',
  'SecondaryDnsTsig',
  'A TSIG key for Secondary DNS zone transfers (apiVersion cfgitops.dev/v1).',
  tsigSpecSchema,
);
