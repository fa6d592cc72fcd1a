/**
 * Issue 13, defect 5, end to end on the built CLI: validation reported in stages — documents with schema errors
 * skipped the cross-document checks, a second Config hid its own errors behind E_DUPLICATE_CONFIG, a missing
 * `fromFile` passed `validate` and failed at plan, and `10.0.0.1/8` was accepted as a CIDR. One `validate` run now
 * reports every one of them, each with its file, line and field.
 */
import { describe, expect, test } from 'vitest';
import { useE2eWorld } from '../../support/e2e-world.js';

const world = useE2eWorld();

const BROKEN_PEERS = `---
apiVersion: cfgitops.dev/v1
kind: SecondaryDnsPeer
metadata:
  name: ns1-primary
  account: main
spec:
  name: ns9.example.com
  ip: 192.0.2.9
  port: "fifty-three"
  tsig: no-such-tsig
---
apiVersion: cfgitops.dev/v1
kind: SecondaryDnsPeer
metadata:
  name: ns5
  account: nowhere
spec:
  name: ns5.example.com
  ip: 192.0.2.5
`;

const MISSING_FILE_TSIG = `---
apiVersion: cfgitops.dev/v1
kind: SecondaryDnsTsig
metadata:
  name: t-missing-file
  account: main
spec:
  name: t-missing.example.com
  algo: hmac-sha256.
  secret:
    fromFile: secrets/does-not-exist.key
`;

const SECOND_CONFIG = `apiVersion: cfgitops.dev/v1
kind: Config
metadata:
  name: second
spec:
  accounts:
    other: not-a-hex-id
`;

interface Finding {
  code: string;
  message: string;
  location: { file: string; line: number; pointer: string };
  hint?: string;
}

describe('GIVEN manifests broken in every way defect 5 lists', () => {
  test('WHEN validated once THEN every error is reported, each with its file, line and field', async () => {
    const append = async (file: string, text: string) =>
      world.ws.write(file, `${(await world.ws.read(file)).replace(/\n*$/, '\n')}${text}`);
    await append('desired-state/peers.yaml', BROKEN_PEERS);
    await append('desired-state/tsigs.yaml', MISSING_FILE_TSIG);
    await world.ws.write('desired-state/second-config.yaml', SECOND_CONFIG);
    const tokens = await world.ws.read('desired-state/tokens.yaml');
    expect(tokens).toContain('        - 198.51.100.0/24\n');
    await world.ws.write(
      'desired-state/tokens.yaml',
      tokens.replace('        - 198.51.100.0/24\n', '        - 10.0.0.1/8\n'),
    );

    const r = await world.cli('validate', '--format', 'json');
    expect(r.code, r.stderr).toBe(1);
    const { valid, errors } = JSON.parse(r.stdout) as { valid: boolean; errors: Finding[] };
    expect(valid).toBe(false);
    const found = (code: string, file: string, pointer: string) =>
      errors.find((e) => e.code === code && e.location.file.endsWith(file) && e.location.pointer === pointer);

    // A document with a schema error is still cross-checked: its duplicate name and its unresolved reference show.
    expect(found('E_SCHEMA', 'peers.yaml', '/spec/port'), r.stdout).toBeDefined();
    expect(found('E_DUPLICATE_RESOURCE', 'peers.yaml', '/metadata/name'), r.stdout).toBeDefined();
    expect(found('E_UNRESOLVED_REFERENCE', 'peers.yaml', '/spec/tsig'), r.stdout).toBeDefined();
    expect(found('E_UNKNOWN_ACCOUNT', 'peers.yaml', '/metadata/account'), r.stdout).toBeDefined();
    // The second Config: the duplicate, and its own errors too.
    expect(found('E_DUPLICATE_CONFIG', 'second-config.yaml', ''), r.stdout).toBeDefined();
    expect(found('E_SCHEMA', 'second-config.yaml', '/spec/accounts/other'), r.stdout).toBeDefined();
    // A missing fromFile fails validate, not only plan.
    expect(found('E_SECRET_FILE', 'tsigs.yaml', '/spec/secret/fromFile'), r.stdout).toBeDefined();
    // Host bits set: refused, with the network address as the hint.
    const cidr = errors.find((e) => e.code === 'E_CIDR_HOST_BITS');
    expect(cidr, r.stdout).toBeDefined();
    expect(cidr!.location.file).toMatch(/tokens\.yaml$/);
    expect(`${cidr!.message} ${cidr!.hint ?? ''}`).toContain('10.0.0.0/8');
    for (const e of errors) expect(e.location.line, JSON.stringify(e)).toBeGreaterThan(0);

    // The text form says the same, one positioned line per error.
    const text = await world.cli('validate');
    expect(text.code).toBe(1);
    const lines = text.stderr.split('\n').filter((l) => /^error\[E_/.test(l));
    expect(lines.length, text.stderr).toBe(errors.length);
  });
});
