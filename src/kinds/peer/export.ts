/** `cfgitops export` of a peer: its TSIG by manifest name where declared (or exported now), else by id. */
import type { CfPeer } from '../../cloudflare/types.js';
import type { ExportKind } from '../../workflow/export-kinds.js';

export const peerExport: ExportKind<'SecondaryDnsPeer'> = {
  kind: 'SecondaryDnsPeer',
  file: 'peers',
  noun: 'peer',
  fallbackName: 'peer',
  list: (live) => live.peers,
  skip: () => undefined,
  spec: (live: CfPeer, _name, scope) => {
    const spec: Record<string, unknown> = { name: live.name };
    if (live.ip !== undefined) spec['ip'] = live.ip;
    spec['port'] = live.port ?? 53;
    spec['ixfr_enable'] = live.ixfr_enable ?? false;
    if (live.tsig_id !== undefined) {
      // By manifest name where the TSIG is declared (or exported now); by id for one cfgitops will not manage.
      const tsig = scope.tsigNames.get(live.tsig_id);
      if (tsig !== undefined) spec['tsig'] = tsig;
      else spec['tsig_id'] = live.tsig_id;
    }
    return { spec };
  },
};
