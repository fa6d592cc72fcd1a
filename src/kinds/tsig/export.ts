/** `cfgitops export` of a TSIG key: never the secret itself, a reference the user fills in. */
import type { CfTsig } from '../../cloudflare/types.js';
import type { ExportKind, SecretToProvide } from '../../workflow/export-kinds.js';
import { tsigEnvName } from '../../workflow/export-names.js';

export const tsigExport: ExportKind<'SecondaryDnsTsig'> = {
  kind: 'SecondaryDnsTsig',
  file: 'tsigs',
  noun: 'TSIG key',
  fallbackName: 'tsig',
  list: (live) => live.tsigs,
  skip: () => undefined,
  spec: (live: CfTsig, name, scope) => {
    // Never the secret itself: a reference the user fills in (the planner compares it with the live secret).
    const secret: SecretToProvide =
      scope.tsigSecrets === 'file'
        ? { fromFile: `secrets/${name}.key` }
        : { fromEnv: tsigEnvName(scope.accountRef, name, scope.envTaken) };
    return { spec: { name: live.name, algo: live.algo, secret }, secret };
  },
};
