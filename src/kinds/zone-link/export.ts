/** `cfgitops export` of a zone transfer link found on a zone in scope: peers by manifest name where declared. */
import type { ExportKind } from '../../workflow/export-kinds.js';
import { enabledOf } from './compare.js';

export function zoneLinkExport<K extends 'SecondaryDnsIncoming' | 'SecondaryDnsOutgoing'>(
  kind: K,
  liveKey: 'incoming' | 'outgoing',
): ExportKind<K> {
  return {
    kind,
    file: liveKey,
    noun: `${liveKey} zone transfer`,
    fallbackName: `${liveKey}-zone`,
    list: (live) => live[liveKey],
    skip: () => undefined,
    spec: (live) => {
      const spec: Record<string, unknown> = { zone: live.zone_id, name: live.name, peers: live.peers };
      if (live.auto_refresh_seconds !== undefined) spec['auto_refresh_seconds'] = live.auto_refresh_seconds;
      const enabled = enabledOf(live.status);
      if (liveKey === 'outgoing' && enabled !== undefined) spec['enabled'] = enabled;
      return { spec };
    },
  };
}
