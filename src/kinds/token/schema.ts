import {
  HEX32_PATTERN,
  cidrSchema,
  manifestDocumentSchema,
  rotationPolicySchema,
} from '../../manifest/schemas/common-schemas.js';

/** Shorthands users may write for a permission group's scope; the loader normalises them to the full form. */
export const SCOPE_SHORTHANDS = {
  account: 'com.cloudflare.api.account',
  zone: 'com.cloudflare.api.account.zone',
  user: 'com.cloudflare.api.user',
} as const;

/*
 * Token resource keys, the shapes Cloudflare documents: an account (32-hex id, or * for all), a zone (id or *), or a
 * user. A typo such as `com.cloudflare.api.acount.zone.*` would otherwise be sent and refused (or silently match
 * nothing) only at apply time.
 */
const HEX32 = '[0-9a-f]{32}';
const ACCOUNT_KEY = `com\\.cloudflare\\.api\\.account\\.${HEX32}` as const;
const ALL_ACCOUNTS_KEY = 'com\\.cloudflare\\.api\\.account\\.\\*';
const ZONE_KEY = `com\\.cloudflare\\.api\\.account\\.zone\\.(${HEX32}|\\*)` as const;
const USER_KEY = `com\\.cloudflare\\.api\\.user\\.${HEX32}` as const;
const ACCOUNT_KEY_PATTERN = `^${ACCOUNT_KEY}$` as const;
const OTHER_KEY_PATTERN = `^(${ALL_ACCOUNTS_KEY}|${ZONE_KEY}|${USER_KEY})$` as const;
const RESOURCE_KEY_PATTERN = `^(${ACCOUNT_KEY}|${ALL_ACCOUNTS_KEY}|${ZONE_KEY}|${USER_KEY})$` as const;
const ZONE_KEY_PATTERN = `^${ZONE_KEY}$` as const;
const RESOURCE_KEY_HINT =
  'a resource key is com.cloudflare.api.account.<ACCOUNT_ID>, com.cloudflare.api.account.*, ' +
  'com.cloudflare.api.account.zone.<ZONE_ID>, com.cloudflare.api.account.zone.* or com.cloudflare.api.user.<USER_ID> ' +
  '(ids are 32 lowercase hex)';
const NESTED_KEY_HINT =
  'under an account, keys are zones: com.cloudflare.api.account.zone.<ZONE_ID> (32 lowercase hex) or ' +
  'com.cloudflare.api.account.zone.*';

const cidrListSchema = {
  type: 'array',
  minItems: 1,
  items: cidrSchema,
} as const;

export const permissionGroupSelectorSchema = {
  description:
    'A permission group, by {name, scope?} (resolved to an id against the live catalog at plan time) or by {id}. ' +
    'Some names exist at several scopes (e.g. "Logs Read"): give scope for those.',
  oneOf: [
    {
      type: 'object',
      additionalProperties: false,
      required: ['name'],
      properties: {
        name: { type: 'string', minLength: 1, description: 'Permission group name, e.g. "DNS Write".' },
        scope: {
          type: 'string',
          enum: [
            'account',
            'zone',
            'user',
            'com.cloudflare.api.account',
            'com.cloudflare.api.account.zone',
            'com.cloudflare.api.user',
          ],
          description: 'account | zone | user, or the full com.cloudflare.api.* scope; stored in the full form.',
        },
      },
    },
    {
      type: 'object',
      additionalProperties: false,
      required: ['id'],
      properties: { id: { type: 'string', pattern: HEX32_PATTERN, description: 'Permission group id (32 hex).' } },
    },
  ],
} as const;

export const tokenPolicySchema = {
  type: 'object',
  description: 'One policy: allow or deny these permission groups on these resources.',
  additionalProperties: false,
  required: ['effect', 'permission_groups', 'resources'],
  properties: {
    effect: { type: 'string', enum: ['allow', 'deny'], description: 'allow or deny.' },
    permission_groups: {
      type: 'array',
      minItems: 1,
      description: 'The permission groups this policy grants or denies.',
      items: permissionGroupSelectorSchema,
    },
    resources: {
      type: 'object',
      minProperties: 1,
      description:
        'What the policy applies to: a flat map ("com.cloudflare.api.account.zone.<ZONE_ID>": "*") or one nested ' +
        'under an account ("com.cloudflare.api.account.<ACCOUNT_ID>": {"com.cloudflare.api.account.zone.*": "*"}); ' +
        'see https://developers.cloudflare.com/fundamentals/api/how-to/create-via-api/',
      propertyNames: { pattern: RESOURCE_KEY_PATTERN, description: RESOURCE_KEY_HINT },
      patternProperties: {
        [ACCOUNT_KEY_PATTERN]: {
          anyOf: [
            { type: 'string', minLength: 1, description: 'Usually "*".' },
            {
              type: 'object',
              minProperties: 1,
              description: 'Zones of this account: keys com.cloudflare.api.account.zone.<ZONE_ID> or ….zone.*.',
              propertyNames: { pattern: ZONE_KEY_PATTERN, description: NESTED_KEY_HINT },
              additionalProperties: { type: 'string', minLength: 1, description: 'Usually "*".' },
            },
          ],
        },
        [OTHER_KEY_PATTERN]: {
          type: 'string',
          minLength: 1,
          description:
            'Usually "*". Only an account key (com.cloudflare.api.account.<ACCOUNT_ID>) may hold a nested map of ' +
            'com.cloudflare.api.account.zone.* keys.',
        },
      },
    },
  },
} as const;

export const tokenSpecSchema = {
  type: 'object',
  description: 'An account-owned API token, with the API field names; its value goes to a secret sink.',
  additionalProperties: false,
  required: ['name', 'policies'],
  properties: {
    name: {
      type: 'string',
      minLength: 1,
      maxLength: 120,
      description: 'The token name as Cloudflare stores it (at most 120 characters) — unique per account.',
    },
    policies: {
      type: 'array',
      minItems: 1,
      description: 'At least one policy. Order does not matter (compared as a set).',
      items: tokenPolicySchema,
    },
    condition: {
      type: 'object',
      additionalProperties: false,
      description: 'Restrictions on where the token may be used from.',
      properties: {
        request_ip: {
          type: 'object',
          additionalProperties: false,
          description: 'Client IP restrictions.',
          properties: {
            in: { ...cidrListSchema, description: 'The token works only from these CIDRs.' },
            not_in: { ...cidrListSchema, description: 'The token never works from these CIDRs.' },
          },
        },
      },
    },
    not_before: {
      type: 'string',
      format: 'date-time',
      description: 'RFC 3339 time before which the token does not work, e.g. 2026-01-01T00:00:00Z.',
    },
    expires_on: {
      type: 'string',
      format: 'date-time',
      description: 'RFC 3339 time the token expires; must be after not_before and in the future.',
    },
    status: {
      type: 'string',
      enum: ['active', 'disabled'],
      description: 'active (default) or disabled.',
    },
    rotation: rotationPolicySchema,
    secret: {
      type: 'object',
      additionalProperties: false,
      description: 'Where the token value is delivered. Never the value itself.',
      properties: {
        sink: {
          type: 'string',
          minLength: 1,
          description: 'A sink name from the Config document (spec.secrets.sinks); default: spec.secrets.default.',
        },
        key: {
          type: 'string',
          minLength: 1,
          maxLength: 255,
          description: 'Key the sink stores the value under; default: metadata.name.',
        },
      },
    },
  },
} as const;

export const tokenDocumentSchema = manifestDocumentSchema(
  'account-token.schema.json',
  'AccountToken',
  'An account-owned Cloudflare API token (apiVersion cfgitops.dev/v1).',
  tokenSpecSchema,
);
