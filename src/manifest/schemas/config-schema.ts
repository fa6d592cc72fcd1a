import {
  ACCOUNT_ALIAS_PATTERN,
  API_VERSION,
  HEX32_PATTERN,
  JSON_SCHEMA_DIALECT,
  SCHEMA_BASE,
  cidrSchema,
  rotationPolicySchema,
} from './common-schemas.js';

const SINK_NAME_PATTERN = '^[a-z][a-z0-9_-]{0,62}$';

const seconds = (description: string, minimum = 1) => ({ type: 'integer', minimum, description }) as const;

/** The values of GuardrailMode (src/config/types.ts), described once for `policy.mode` and each `policy.modes` entry. */
const guardrailMode = (description: string) => ({ enum: ['enforce', 'warn', 'enforce-new'], description }) as const;
const ruleMode = guardrailMode("This guardrail's mode, overriding policy.mode.");

export const configSpecSchema = {
  type: 'object',
  description: 'cfgitops settings. Every setting is optional; the defaults are listed in each description.',
  additionalProperties: false,
  properties: {
    accounts: {
      type: 'object',
      description: 'Account aliases: alias → 32-hex Cloudflare account id (e.g. main: 0123…cdef). Default: none.',
      propertyNames: { pattern: ACCOUNT_ALIAS_PATTERN },
      additionalProperties: { type: 'string', pattern: HEX32_PATTERN, description: 'A 32-hex account id.' },
    },
    zones: {
      type: 'object',
      description:
        'Zone aliases for zone transfer links: zone name → 32-hex Cloudflare zone id (e.g. example.com: 0123…cdef). ' +
        'Links name a zone by its alias or its id. Default: none.',
      propertyNames: { minLength: 1, maxLength: 253 },
      additionalProperties: { type: 'string', pattern: HEX32_PATTERN, description: 'A 32-hex zone id.' },
    },
    state: {
      description: 'Where state is kept. Default: {backend: file, path: .cfgitops/state.json}.',
      type: 'object',
      required: ['backend'],
      discriminator: { propertyName: 'backend' },
      oneOf: [
        {
          type: 'object',
          additionalProperties: false,
          required: ['backend'],
          properties: {
            backend: { const: 'file', description: 'A local JSON file.' },
            path: {
              type: 'string',
              minLength: 1,
              description: 'State file path, relative to the working directory. Default: .cfgitops/state.json.',
            },
          },
        },
        {
          type: 'object',
          additionalProperties: false,
          required: ['backend', 'workspace'],
          properties: {
            backend: { const: 'postgres', description: 'A PostgreSQL table, locked with advisory locks.' },
            url: {
              type: 'string',
              minLength: 1,
              description: 'Connection URL without a password; default: the PG* environment variables.',
            },
            workspace: { type: 'string', minLength: 1, description: 'Names this state inside the database.' },
            ssl: {
              description: 'TLS: true, false, or {rejectUnauthorized, ca}.',
              anyOf: [
                { type: 'boolean' },
                {
                  type: 'object',
                  additionalProperties: false,
                  properties: {
                    rejectUnauthorized: { type: 'boolean', description: 'Verify the server certificate.' },
                    ca: { type: 'string', description: 'PEM CA bundle.' },
                  },
                },
              ],
            },
          },
        },
      ],
    },
    secrets: {
      type: 'object',
      additionalProperties: false,
      description: 'Where token values go. Default: one sink "local" = {type: file, path: .cfgitops/secrets.json}.',
      properties: {
        default: {
          type: 'string',
          pattern: SINK_NAME_PATTERN,
          description: 'Sink used by tokens that name none. Default: "local" if defined, else the only sink.',
        },
        sinks: {
          type: 'object',
          description: 'Named sinks; when given, they replace the default "local" sink.',
          minProperties: 1,
          propertyNames: { pattern: SINK_NAME_PATTERN },
          additionalProperties: {
            type: 'object',
            required: ['type'],
            discriminator: { propertyName: 'type' },
            description: 'One sink: file, exec, age or github-actions.',
            oneOf: [
              {
                type: 'object',
                additionalProperties: false,
                required: ['type', 'path'],
                properties: {
                  type: { const: 'file', description: 'A local file (mode 0600).' },
                  path: { type: 'string', minLength: 1, description: 'Relative to the working directory.' },
                  format: { type: 'string', enum: ['json', 'dotenv'], description: 'json (default) or dotenv.' },
                },
              },
              {
                type: 'object',
                additionalProperties: false,
                required: ['type', 'command'],
                properties: {
                  type: { const: 'exec', description: 'Runs a command with the value on stdin (e.g. vault).' },
                  command: {
                    type: 'array',
                    minItems: 1,
                    items: { type: 'string' },
                    description: 'argv; the key is passed in CFGITOPS_SECRET_KEY.',
                  },
                  timeoutSeconds: seconds('Kill the command after this long. Default 30.'),
                  inheritEnv: {
                    type: 'array',
                    uniqueItems: true,
                    items: { type: 'string', pattern: '^[A-Za-z_][A-Za-z0-9_]*$' },
                    description:
                      "cfgitops' own credentials (CLOUDFLARE_API_TOKEN, CLOUDFLARE_API_KEY, CLOUDFLARE_EMAIL, CFGITOPS_PG_URL, DATABASE_URL, the GitHub sinks' tokenEnv variables) are withheld from the command; list here the ones it must receive anyway. Default none.",
                  },
                },
              },
              {
                type: 'object',
                additionalProperties: false,
                required: ['type', 'path', 'recipients'],
                properties: {
                  type: { const: 'age', description: 'age-encrypted files committed to the repository.' },
                  path: { type: 'string', minLength: 1, description: 'Relative to the working directory.' },
                  recipients: {
                    type: 'array',
                    minItems: 1,
                    items: { type: 'string', pattern: '^(age1[0-9a-z]+|ssh-(ed25519|rsa) .+)$' },
                    description: 'age recipients (age1…) or SSH public keys.',
                  },
                  layout: {
                    type: 'string',
                    enum: ['files', 'yaml', 'json'],
                    description: 'files (one file per key, default), or one yaml/json file.',
                  },
                },
              },
              {
                type: 'object',
                additionalProperties: false,
                required: ['type', 'repository'],
                properties: {
                  type: { const: 'github-actions', description: 'GitHub Actions secrets (sealed-box encrypted).' },
                  repository: {
                    type: 'string',
                    pattern: '^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$',
                    description: 'owner/name.',
                  },
                  environment: { type: 'string', minLength: 1, description: 'An environment; default: repository.' },
                  tokenEnv: {
                    type: 'string',
                    pattern: '^[A-Za-z_][A-Za-z0-9_]*$',
                    description: 'Env var with the GitHub token. Default GITHUB_TOKEN.',
                  },
                  apiUrl: { type: 'string', format: 'uri', description: 'Default https://api.github.com.' },
                },
              },
            ],
          },
        },
      },
    },
    prune: {
      type: 'boolean',
      description: 'Delete resources that are in state but no longer in the manifests. Default false.',
    },
    suspend: {
      type: 'boolean',
      description:
        'true: `cfgitops controller` stops reconciling (it still observes and reports drift in /status and /metrics); the CLI commands are unaffected. Default false.',
    },
    deletes: {
      type: 'object',
      additionalProperties: false,
      description: 'Mass-delete guard.',
      properties: {
        maxShare: {
          type: 'number',
          minimum: 0,
          maximum: 1,
          description:
            'A plan deleting more than this share of managed resources needs --allow-mass-delete. Default 0.3.',
        },
      },
    },
    tokens: {
      type: 'object',
      additionalProperties: false,
      description:
        'Handling of tokens Cloudflare has expired or revoked, and of existing tokens taken under management.',
      properties: {
        onExpired: {
          type: 'string',
          enum: ['roll', 'recreate'],
          description:
            'A managed token Cloudflare reports expired while its manifest wants it alive (expires_on moved later or ' +
            'removed): recreate (default) replaces it with a new token; roll revives the same id with a PUT and rolls ' +
            'its value. A token past the expires_on its manifest still declares is left alone (W_TOKEN_EXPIRED). ' +
            'docs/token-lifecycle.md.',
        },
        onRevoked: {
          type: 'string',
          enum: ['roll', 'recreate'],
          description:
            'A managed token Cloudflare revoked. Cloudflare revokes only exposed tokens (revoked (exposed)): those are ' +
            'always replaced by a new token (replace-exposed) and the leaked one deleted, since a leaked id is never ' +
            'rolled; roll is accepted and said to be ignored in the plan. docs/token-lifecycle.md.',
        },
        onAdopt: {
          type: 'string',
          enum: ['roll', 'keep'],
          description:
            'An existing token taken under management (adopted by name, or imported): roll (default) gives it a new value delivered to its sink, breaking whatever uses the old one; keep leaves its value alone (recorded as external: rotate rolls it into the sink when you are ready).',
        },
        rotation: {
          ...rotationPolicySchema,
          description:
            'The rotation policy of every token that does not set its own (spec.rotation), field by field. Default {every: never, strategy: overlap, grace: 24h}.',
        },
      },
    },
    api: {
      type: 'object',
      additionalProperties: false,
      description: 'Cloudflare API pacing and retries.',
      properties: {
        concurrency: { type: 'integer', minimum: 1, maximum: 64, description: 'Steps run at once. Default 10.' },
        rateLimit: {
          type: 'object',
          additionalProperties: false,
          description:
            "Client-side pacing per credential: at most this many requests in any window, less a 2 % margin, and never more than the server's Ratelimit headers leave. Default Cloudflare's 1200 requests / 300 s.",
          properties: {
            requests: { type: 'integer', minimum: 1, description: 'Requests per window. Default 1200.' },
            windowSeconds: seconds('Window length. Default 300.'),
          },
        },
        retry: {
          type: 'object',
          additionalProperties: false,
          description: 'Retries of 408/409/429/5xx and network errors.',
          properties: {
            retries: { type: 'integer', minimum: 0, maximum: 100, description: 'Default 8.' },
            minTimeoutMs: { type: 'integer', minimum: 0, description: 'First backoff. Default 500.' },
            maxTimeoutMs: { type: 'integer', minimum: 0, description: 'Backoff cap. Default 30000.' },
            deadlineSeconds: seconds('Give up on a request after this long in total. Default 600.'),
          },
        },
        timeoutSeconds: seconds('Per-request timeout. Default 30.'),
      },
    },
    lock: {
      type: 'object',
      additionalProperties: false,
      description: 'State locking.',
      properties: {
        timeoutSeconds: seconds('Wait this long for a held lock (0: fail at once). Default 0.', 0),
      },
    },
    policy: {
      type: 'object',
      additionalProperties: false,
      description:
        'Guardrails, checked by validate (those that need no live data) and at plan time: a violation is an ' +
        'E_POLICY_VIOLATION error or a W_POLICY_VIOLATION warning, per its mode (docs/guardrails.md). Default: none.',
      properties: {
        mode: guardrailMode(
          'How violations count, for every guardrail without its own entry in modes: enforce (errors: the plan is ' +
            'shown but cannot be applied), warn (warnings), enforce-new (warnings for resources already applied and ' +
            'unchanged by the plan, errors for new, adopted or changed ones). Default enforce.',
        ),
        modes: {
          type: 'object',
          additionalProperties: false,
          description: 'Per guardrail (keyed by its setting name), a mode overriding policy.mode.',
          properties: {
            tokenMaxLifetimeDays: ruleMode,
            forbiddenPermissionGroups: ruleMode,
            wildcardNeedsIpCondition: ruleMode,
            peerAllowedCidrs: ruleMode,
            peerAllowedPorts: ruleMode,
            aclAllowedCidrs: ruleMode,
          },
        },
        tokenMaxLifetimeDays: {
          type: 'integer',
          minimum: 1,
          description: 'Every token needs expires_on within this many days.',
        },
        forbiddenPermissionGroups: {
          type: 'array',
          items: { type: 'string', minLength: 1 },
          description: 'Permission-group names or ids no token may hold.',
        },
        wildcardNeedsIpCondition: {
          type: 'boolean',
          description: 'A policy on wildcard resources needs a condition.request_ip.',
        },
        peerAllowedCidrs: { type: 'array', items: cidrSchema, description: 'Peers must have their ip in one.' },
        aclAllowedCidrs: {
          type: 'array',
          items: cidrSchema,
          description: 'Secondary DNS ACL ranges must lie inside one (an ACL opens zone transfers).',
        },
        peerAllowedPorts: {
          type: 'array',
          items: { type: 'integer', minimum: 1, maximum: 65535 },
          description: 'Peers must use one of these ports.',
        },
      },
    },
  },
} as const;

export const configDocumentSchema: Record<string, unknown> = {
  $schema: JSON_SCHEMA_DIALECT,
  $id: `${SCHEMA_BASE}config.schema.json`,
  title: 'Config',
  description: 'The cfgitops configuration document (at most one, e.g. desired-state/cfgitops.yaml).',
  type: 'object',
  additionalProperties: false,
  required: ['apiVersion', 'kind'],
  properties: {
    apiVersion: { const: API_VERSION, description: `Manifest format version; always ${API_VERSION}.` },
    kind: { const: 'Config', description: 'Config.' },
    metadata: {
      type: 'object',
      description: 'Optional; only name is allowed, for readers.',
      additionalProperties: false,
      properties: { name: { type: 'string', description: 'A label for this config.' } },
    },
    spec: configSpecSchema,
  },
};
