/**
 * The two zone transfer link kinds, SecondaryDnsIncoming and SecondaryDnsOutgoing, differ only in direction and in
 * one field each (auto_refresh_seconds; enabled): this builds either's KindDefinition. A link is zone level: its
 * Cloudflare id is the zone's, it is read with one GET per zone (outgoing: and its status), and its "name" — how a
 * crashed run's create is found again — is the zone name, unique in the account.
 */
import type { CfZoneTransfer, CloudflareApi, TransferDirection } from '../../cloudflare/types.js';
import { CfgitopsError, type SourceLocation } from '../../errors.js';
import type { RecordedResource } from '../../state/types.js';
import type { ExportKind } from '../../workflow/export-kinds.js';
import type { DesiredBaseFields, KindDefinition } from '../kind.js';
import { desiredResource } from '../desired-resource.js';
import { zoneTransfersApi } from './api.js';
import { zoneLinkExecutor } from './execute.js';
import { zoneLinkAdapter, zoneLinkUnfinished } from './plan.js';
import { HEX32 } from './schema-parts.js';

type LinkKind = 'SecondaryDnsIncoming' | 'SecondaryDnsOutgoing';

/** The zone id a spec's `zone` names (alias or id), or undefined. */
export function zoneIdOf(zone: unknown, zones: Readonly<Record<string, string>>): string | undefined {
  if (typeof zone !== 'string') return undefined;
  if (Object.hasOwn(zones, zone)) return zones[zone];
  return HEX32.test(zone) ? zone : undefined;
}

function checkZone(
  spec: Record<string, unknown>,
  locate: (pointer: string) => SourceLocation,
  zones: Readonly<Record<string, string>>,
): CfgitopsError[] {
  const zone = spec['zone'];
  if (typeof zone !== 'string') return [];
  if (zoneIdOf(zone, zones) === undefined) {
    const known = Object.keys(zones);
    return [
      new CfgitopsError('E_UNKNOWN_ZONE', `zone ${zone} is neither a zone alias nor a 32-hex zone id`, {
        location: locate('/spec/zone'),
        hint: known.length
          ? `use one of ${known.join(', ')} (Config spec.zones), or the zone id`
          : 'name it under spec.zones in the Config document (example.com: <zone id>), or use the zone id',
      }),
    ];
  }
  if (!Object.hasOwn(zones, zone) && spec['name'] === undefined) {
    return [
      new CfgitopsError('E_ZONE_NAME_MISSING', `zone ${zone} is given by id: its name is needed too`, {
        location: locate('/spec'),
        hint: 'add spec.name (the zone name, e.g. example.com.), or give the zone an alias in the Config spec.zones',
      }),
    ];
  }
  return [];
}

export function defineZoneLink<K extends LinkKind>(options: {
  kind: K;
  dir: TransferDirection;
  noun: string;
  shorthands: readonly string[];
  liveKey: 'incoming' | 'outgoing';
  document: { file: string; schema: Record<string, unknown> };
  /** The direction's own field, filled with its default. */
  extra(spec: Record<string, unknown>): { auto_refresh_seconds: number } | { enabled: boolean };
  export: ExportKind<K>;
  emulatorRoutes(): Promise<readonly import('../../emulator/routes.js').Route[]>;
}): KindDefinition<K> {
  const { kind, dir } = options;
  const executor = zoneLinkExecutor(dir);
  const def: KindDefinition<LinkKind> = {
    kind,
    noun: options.noun,
    shorthands: options.shorthands,
    liveKey: options.liveKey,
    document: options.document,
    references: [
      {
        field: 'peers',
        target: 'SecondaryDnsPeer',
        ids: true,
        hint: 'peers takes metadata.names of SecondaryDnsPeers in the same account, or 32-hex ids of unmanaged peers',
      },
    ],
    observeAlso: ['SecondaryDnsPeer'],
    needsPermissionGroups: false,
    hasValue: false,
    createCalls: dir === 'outgoing' ? 2 : 1,
    zoneLevel: true,
    checkSpec: (spec, locate, config) => checkZone(spec, locate, config.zones),
    build(raw, base: DesiredBaseFields, config) {
      const spec = raw as { zone: string; name?: string; peers: string[] } & Record<string, unknown>;
      const zone = zoneIdOf(spec.zone, config.zones) ?? spec.zone;
      const name = spec.name ?? spec.zone;
      const built = { zone, name, peers: [...spec.peers], ...options.extra(spec) };
      return desiredResource<LinkKind>(base, kind, built);
    },
    adapter: (ctx, d, out) => zoneLinkAdapter(ctx, d, out),
    ...(dir === 'outgoing' ? { unfinished: zoneLinkUnfinished } : {}),
    async list(api, _account, scope, signal) {
      const found = await Promise.all(
        scope.zones.map(async (zone): Promise<CfZoneTransfer | undefined> => {
          const link = await api.getZoneTransfer(zone, dir, signal);
          if (!link || dir !== 'outgoing') return link;
          return { ...link, status: await api.outgoingStatus(zone, signal) };
        }),
      );
      return found.filter((l): l is CfZoneTransfer => l !== undefined);
    },
    api: zoneTransfersApi,
    create: executor.create,
    update: executor.update,
    delete: executor.delete,
    adoptedFields: (ctx) => ({ complete: ctx.step.diff.length === 0 }),
    updatedFields: { complete: true },
    async liveName(api, _account, id) {
      return (await api.getZoneTransfer(id, dir))?.name;
    },
    importedFields: () => ({ complete: true }),
    ...(dir === 'outgoing'
      ? {
          liveDetails: async (api: CloudflareApi, recorded: RecordedResource) => ({
            transfer_status: (await api.outgoingStatus(recorded.id)) ?? 'not configured',
          }),
        }
      : {}),
    export: options.export,
    emulatorRoutes: () => options.emulatorRoutes(),
  };
  // Sound: `kind` is K, so the registry hands this definition only resources of kind K.
  return def as unknown as KindDefinition<K>;
}
