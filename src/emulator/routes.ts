/**
 * Every operation of src/contract/openapi.json, by method and path template, and the matcher that maps a
 * request path onto them. Static segments win over parameters (`tokens/verify` is not a token id).
 */
import type { Handler } from './context.js';
import { listPermissionGroups } from './permission-groups.js';
import { getZoneDetails } from './zone-details.js';

export interface Route {
  method: string;
  template: string;
  operationId: string;
  handler: Handler;
}

const A = '/accounts/{account_id}';

/** The operations that belong to no resource kind (the permission-group catalog, a zone's details). */
const SHARED_ROUTES: readonly Route[] = [
  {
    method: 'GET',
    template: `${A}/tokens/permission_groups`,
    operationId: 'account-api-tokens-list-permission-groups',
    handler: listPermissionGroups,
  },
  { method: 'GET', template: '/zones/{zone_id}', operationId: 'zones-0-get', handler: getZoneDetails },
];

/**
 * Every operation of the contract the emulator serves: the shared ones and each registered kind's
 * (`KindDefinition.emulatorRoutes`, loaded only when an emulator starts).
 */
async function loadRoutes(): Promise<readonly Route[]> {
  const { KINDS } = await import('../kinds/registry.js');
  const perKind = await Promise.all(KINDS.map((k) => k.emulatorRoutes()));
  return [...SHARED_ROUTES, ...perKind.flat()];
}

function matchTemplate(template: string, path: string): Record<string, string> | undefined {
  const t = template.split('/');
  const p = path.split('/');
  if (t.length !== p.length) return undefined;
  const params: Record<string, string> = {};
  for (let i = 0; i < t.length; i++) {
    const seg = t[i]!;
    const actual = p[i]!;
    if (seg.startsWith('{')) {
      if (actual === '') return undefined;
      params[seg.slice(1, -1)] = decodeURIComponent(actual);
    } else if (seg !== actual) return undefined;
  }
  return params;
}

/** Every route, and the matcher over them. */
export class RouteTable {
  readonly routes: readonly Route[];
  /** Templates with fewer parameters are more specific, so they come first. */
  readonly #bySpecificity: readonly Route[];

  constructor(routes: readonly Route[]) {
    this.routes = routes;
    this.#bySpecificity = [...routes].sort(
      (a, b) => (a.template.match(/\{/g)?.length ?? 0) - (b.template.match(/\{/g)?.length ?? 0),
    );
  }

  /** The route for a method and path; `bad-method` when the path exists with other methods (405, not 404). */
  match(method: string, path: string): { route: Route; params: Record<string, string> } | 'no-route' | 'bad-method' {
    let pathMatched = false;
    const matchedTemplates = new Set<string>();
    for (const route of this.#bySpecificity) {
      const params = matchTemplate(route.template, path);
      if (!params) continue;
      // A more specific template already claimed this path (e.g. tokens/verify); a parameter route must not take it.
      if (
        [...matchedTemplates].some(
          (t) => t !== route.template && t.split('/').length === route.template.split('/').length,
        )
      ) {
        continue;
      }
      matchedTemplates.add(route.template);
      pathMatched = true;
      if (route.method === method) return { route, params };
    }
    return pathMatched ? 'bad-method' : 'no-route';
  }
}

let table: Promise<RouteTable> | undefined;

/** The route table, built once per process from the registry. */
export function loadRouteTable(): Promise<RouteTable> {
  return (table ??= loadRoutes().then((routes) => new RouteTable(routes)));
}
