/**
 * `cfgitops zone force-axfr|force-notify ZONE [DIR]` (declared in ../grammar/zone.ts): one zone transfer operation
 * now (src/workflow/zone-transfer.ts). `--format json`: `{ ok, command, zone, zoneId, target, result }`.
 */
import { createApp, type AppEnvironment } from '../../app.js';
import { zoneTransferWorkflow, type ZoneTransferRequest } from '../../workflow/zone-transfer.js';
import { withJsonFailure } from '../json-failure.js';
import type { TextOrJson } from '../options.js';

export interface ZoneCommandRequest extends ZoneTransferRequest {
  format: TextOrJson;
}

export async function zoneCommand(environment: AppEnvironment, request: ZoneCommandRequest): Promise<number> {
  const app = createApp(environment);
  return withJsonFailure(request.format === 'json', app.output, async () => {
    const outcome = await zoneTransferWorkflow(app, request);
    app.output.out(
      request.format === 'json'
        ? `${JSON.stringify({ ok: true, command: request.command, ...outcome }, null, 2)}\n`
        : `${request.command} ${outcome.zone} (${outcome.zoneId}) in ${outcome.target}: ${outcome.result}\n`,
    );
    return 0;
  });
}
