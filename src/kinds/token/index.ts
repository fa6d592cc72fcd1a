/** `AccountToken`: an account-owned API token, its value delivered to a secret sink and rolled on demand. */
import type { KindDefinition } from '../kind.js';
import { desiredResource } from '../desired-resource.js';
import type { DesiredToken, TokenSpec } from '../../manifest/types.js';
import { tokenAdoptMode } from '../../planner/adopt-mode.js';
import { tokensApi } from './api.js';
import { createToken, deleteToken, updateToken } from './execute.js';
import { tokenExport } from './export.js';
import { planExistingToken, tokenAdapter, tokenAdoptValue, tokenInsteadOfCreate, tokenRecreateFields } from './plan.js';
import { checkToken } from './policy.js';
import { planPredecessor } from '../../planner/plan-rotation.js';
import { SCOPE_SHORTHANDS, tokenDocumentSchema } from './schema.js';
import { isCfgitopsError } from '../../errors.js';
import { sinkRefOf } from '../../executor/step-context.js';

export type { TokensApi as TokenApi } from './api.js';

export const tokenKind: KindDefinition<'AccountToken'> = {
  kind: 'AccountToken',
  noun: 'token',
  shorthands: ['token'],
  liveKey: 'tokens',
  document: { file: 'account-token.schema.json', schema: tokenDocumentSchema },
  references: [],
  observeAlso: [],
  needsPermissionGroups: true,
  hasValue: true,
  createCalls: 1,
  build(raw, base, config): DesiredToken {
    const spec = raw as TokenSpec;
    const sink = spec.secret?.sink ?? config.defaultSink;
    // `{ ...spec, policies, secret }`, without a hidden class per token (desired-resource.ts).
    const built = Object.assign({}, spec, {
      policies: spec.policies.map(expandScopes),
      secret: { sink, key: spec.secret?.key ?? base.address.name },
    });
    return desiredResource(base, 'AccountToken', built);
  },
  adapter: tokenAdapter,
  planExisting: planExistingToken,
  planInterrupted: (ctx, d, adapter, rec, out) => planPredecessor(ctx, d, rec, out, adapter.body, adapter.sink),
  insteadOfCreate: tokenInsteadOfCreate,
  adoptValue: tokenAdoptValue,
  recreateNote: ' with a new value',
  recreateFields: tokenRecreateFields,
  policy: checkToken,
  list: (api, account, _scope, signal) => api.listTokens(account, signal),
  api: tokensApi,
  create: createToken,
  update: updateToken,
  delete: deleteToken,
  // A token's value is unknown until it is rolled, hence `undelivered` — or `external` when the plan keeps it.
  adoptedFields: (ctx) => ({
    sink: sinkRefOf(ctx),
    value_status: ctx.step.rollValue ? 'undelivered' : 'external',
  }),
  async liveName(api, account, id) {
    try {
      return (await api.getToken(account, id)).name;
    } catch (e) {
      if (isCfgitopsError(e) && e.code === 'E_API_NOT_FOUND') return undefined;
      throw e;
    }
  },
  importedFields(d, roll, config) {
    const sink = d.spec.secret;
    if (sink?.sink === undefined) return {};
    return {
      sink: { sink: sink.sink, key: sink.key ?? d.address.name },
      // --roll delivers now; otherwise the config decides whether the next apply rolls it.
      value_status: roll || tokenAdoptMode(d.annotations, config).mode === 'roll' ? 'undelivered' : 'external',
    };
  },
  export: tokenExport,
  emulatorRoutes: async () => (await import('./emulator.js')).ROUTES,
};

type TokenPolicy = TokenSpec['policies'][number];
type Selector = TokenPolicy['permission_groups'][number];

type Shorthand = keyof typeof SCOPE_SHORTHANDS;

function expandedScope(g: Selector): (typeof SCOPE_SHORTHANDS)[Shorthand] | undefined {
  if (!('name' in g) || g.scope === undefined || !Object.hasOwn(SCOPE_SHORTHANDS, g.scope)) return undefined;
  return SCOPE_SHORTHANDS[g.scope as Shorthand];
}

/**
 * A policy with its scope shorthands (`zone`) written out. Only a policy holding one, and only that selector, is
 * copied: the rest is shared with the parsed document, which nothing mutates (copying every policy and selector of
 * 10,000 tokens was a measurable share of the load's garbage collection, docs/benchmarks.md P3).
 */
function expandScopes(p: TokenPolicy): TokenPolicy {
  if (!p.permission_groups.some((g) => expandedScope(g) !== undefined)) return p;
  return {
    ...p,
    permission_groups: p.permission_groups.map((g) => {
      const scope = expandedScope(g);
      return scope === undefined ? g : { ...g, scope };
    }),
  };
}
