import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import type { FaultRule } from '../../../src/emulator/faults.js';
import { ANNOTATION_PREVENT_DESTROY } from '../../../src/resources.js';
import { Secret } from '../../../src/secret.js';
import type { SecretSinks } from '../../../src/secrets/types.js';
import {
  ACCOUNT,
  FIXED_NOW,
  key,
  peerCreate,
  startHarness,
  stepId,
  tokenCreate,
  tsigCreate,
  type Harness,
} from './harness.js';

let h: Harness;
beforeEach(async () => {
  h = await startHarness();
});
afterEach(async () => {
  await h.close();
});

/** Every secret the emulator has ever minted or stored, plus the test's own TSIG secrets. */
function allSecrets(): string[] {
  return [...h.emulator.core.secrets.list(), ...[...h.tsigSecrets.values()].map((s) => s.reveal())];
}

function expectNoSecretIn(text: string): void {
  for (const s of allSecrets()) expect(text).not.toContain(s);
}

async function verify(value: string | undefined) {
  expect(value).toBeDefined();
  return h.api.verifyToken(ACCOUNT, new Secret(value!));
}

describe('executePlan against the emulator, the real client, the file state and the file sink', () => {
  test('GIVEN TSIG, peers (one using the TSIG) and tokens WHEN applied THEN all live, state complete, values work', async () => {
    const steps = [
      tsigCreate(h, 'xfr', { annotations: { [ANNOTATION_PREVENT_DESTROY]: 'true' } }),
      peerCreate('ns1', { ref: 'xfr' }),
      peerCreate('ns2', undefined),
      tokenCreate('ci-deploy'),
      tokenCreate('dns-reader'),
    ];
    const result = await h.apply(steps);

    expect(result.ok).toBe(true);
    expect(result.counts).toEqual({ total: 5, succeeded: 5, unchanged: 0, failed: 0, skipped: 0 });
    const state = await h.state();
    expect(state.pending).toEqual({});
    const tsig = state.resources[key('SecondaryDnsTsig', 'xfr')]!;
    expect(tsig).toMatchObject({ origin: 'created', cf_name: 'xfr.example.com.', prevent_destroy: true });
    const peers = await h.api.listPeers(ACCOUNT);
    const ns1 = peers.find((p) => p.name === 'ns1-peer')!;
    expect(ns1).toMatchObject({ ip: '192.0.2.53', port: 53, ixfr_enable: true, tsig_id: tsig.id });
    expect(state.resources[key('SecondaryDnsPeer', 'ns1')]).toMatchObject({ id: ns1.id, complete: true });
    expect(state.resources[key('SecondaryDnsPeer', 'ns2')]).toMatchObject({ complete: true });
    expect(state.resources[key('SecondaryDnsPeer', 'ns2')]).not.toHaveProperty('prevent_destroy');

    const sinkFile = await h.sinkFile();
    for (const name of ['ci-deploy', 'dns-reader']) {
      const rec = state.resources[key('AccountToken', name)]!;
      expect(rec).toMatchObject({
        value_status: 'delivered',
        sink: { sink: 'local', key: name },
        value_issued_at: new Date(FIXED_NOW).toISOString(),
        origin: 'created',
      });
      expect(await verify(sinkFile[name])).toMatchObject({ id: rec.id, status: 'active' });
    }
    // The TSIG must come first: the peer using it starts only after the TSIG step is done.
    const order = h.progress.map((e) => `${e.phase} ${e.step.id}`);
    expect(order.indexOf(`start ${steps[1]!.id}`)).toBeGreaterThan(order.indexOf(`done ${steps[0]!.id}`));
    expectNoSecretIn(await readFile(join(h.dir, 'state.json'), 'utf8'));
    expectNoSecretIn(JSON.stringify(result));
  });

  test('GIVEN every create commits then drops the connection WHEN applied THEN exactly one resource each and a working value', async () => {
    const drop = (operationId: string): FaultRule => ({ kind: 'commit-then-drop', operationId, times: 1 });
    h.faults([
      drop('secondary-dns-(-tsig)-create-tsig'),
      drop('secondary-dns-(-peer)-create-peer'),
      drop('account-api-tokens-create-token'),
    ]);
    const result = await h.apply([tsigCreate(h, 'xfr'), peerCreate('ns1', { ref: 'xfr' }), tokenCreate('ci-deploy')]);

    expect(result.ok).toBe(true);
    expect((await h.api.listTsigs(ACCOUNT)).filter((t) => t.name === 'xfr.example.com.')).toHaveLength(1);
    expect((await h.api.listPeers(ACCOUNT)).filter((p) => p.name === 'ns1-peer')).toHaveLength(1);
    const tokens = (await h.api.listTokens(ACCOUNT)).filter((t) => t.name === 'cfgitops ci-deploy');
    expect(tokens).toHaveLength(1);
    const state = await h.state();
    expect(state.pending).toEqual({});
    const rec = state.resources[key('AccountToken', 'ci-deploy')]!;
    expect(rec).toMatchObject({ id: tokens[0]!.id, value_status: 'delivered' });
    // The recovered token's first value was never read: it was rolled, and the rolled value is the one delivered.
    expect(await verify((await h.sinkFile())['ci-deploy'])).toMatchObject({ id: rec.id });
    expect(state.resources[key('SecondaryDnsPeer', 'ns1')]).toMatchObject({ complete: true });
    const ops = h.emulator.counts.toJSON().byOperation;
    expect(ops['account-api-tokens-create-token']).toEqual({ 'commit-then-drop': 1 });
    expect(ops['account-api-tokens-roll-token']).toEqual({ '200': 1 });
  });

  test('GIVEN a sink that cannot be written WHEN a token is created THEN it is recorded undelivered and the step fails E_VALUE_UNDELIVERED', async () => {
    const result = await h.apply([tokenCreate('ci-deploy', 'broken'), tokenCreate('other')]);

    const failed = result.steps[0]!;
    expect(failed).toMatchObject({ status: 'failed', error: { code: 'E_VALUE_UNDELIVERED' } });
    expect(result.steps[1]!.status).toBe('succeeded');
    const state = await h.state();
    const rec = state.resources[key('AccountToken', 'ci-deploy')]!;
    expect(rec).toMatchObject({ value_status: 'undelivered', sink: { sink: 'broken', key: 'ci-deploy' } });
    expect(state.pending).toEqual({});
    expect(result.undelivered).toEqual([
      {
        address: { kind: 'AccountToken', account: ACCOUNT, name: 'ci-deploy' },
        tokenId: rec.id,
        sink: { sink: 'broken', key: 'ci-deploy' },
        sinkDescription: expect.stringContaining('not-a-dir/secrets.json') as string,
      },
    ]);
    expect(failed.error!.message).toContain(rec.id);
    expectNoSecretIn(`${failed.error!.message} ${failed.error!.hint ?? ''} ${JSON.stringify(result)}`);

    // The next apply (sink fixed: the token now points at `local`) rolls and delivers.
    const again = await h.apply([
      {
        id: stepId('roll-secret', 'AccountToken', 'ci-deploy'),
        action: 'roll-secret',
        address: { kind: 'AccountToken', account: ACCOUNT, name: 'ci-deploy' },
        cfName: 'cfgitops ci-deploy',
        targetId: rec.id,
        reason: 'value undelivered',
        diff: [],
        dependsOn: [],
        sink: { sink: 'local', key: 'ci-deploy' },
      },
    ]);
    expect(again.ok).toBe(true);
    const after = (await h.state()).resources[key('AccountToken', 'ci-deploy')]!;
    expect(after).toMatchObject({ id: rec.id, value_status: 'delivered', sink: { sink: 'local' } });
    expect(await verify((await h.sinkFile())['ci-deploy'])).toMatchObject({ id: rec.id });
  });

  test('GIVEN the TSIG create is refused WHEN applied THEN its peer is skipped and unrelated tokens finish', async () => {
    h.faults([{ kind: 'error', operationId: 'secondary-dns-(-tsig)-create-tsig', status: 400 }]);
    const steps = [tsigCreate(h, 'xfr'), peerCreate('ns1', { ref: 'xfr' }), tokenCreate('a'), tokenCreate('b')];
    const result = await h.apply(steps);

    expect(result.steps.map((s) => s.status)).toEqual(['failed', 'skipped', 'succeeded', 'succeeded']);
    expect(result.steps[0]!.error?.code).toBe('E_API');
    expect(result.steps[1]).toMatchObject({ skipReason: 'dependency-failed', blockedBy: [steps[0]!.id] });
    expect(await h.api.listPeers(ACCOUNT)).toEqual([]);
    const state = await h.state();
    // A 400 certainly created nothing: no intent is left for the next plan to chase.
    expect(state.pending).toEqual({});
    expect(Object.keys(state.resources).sort()).toEqual([key('AccountToken', 'a'), key('AccountToken', 'b')]);
  });

  test('GIVEN the TSIG create keeps failing ambiguously WHEN applied THEN its intent stays for the next plan', async () => {
    h.faults([{ kind: 'error', operationId: 'secondary-dns-(-tsig)-create-tsig', status: 503 }]);
    const result = await h.apply([tsigCreate(h, 'xfr')]);
    expect(result.steps[0]).toMatchObject({ status: 'failed', error: { code: 'E_API' } });
    const pending = Object.values((await h.state()).pending);
    expect(pending).toMatchObject([
      { op: 'create', kind: 'SecondaryDnsTsig', name: 'xfr', cf_name: 'xfr.example.com.' },
    ]);
  });

  test('GIVEN the peer PUT dies after the POST WHEN applied THEN state holds the id with complete:false; an update finishes it', async () => {
    // A TSIG cfgitops does not manage, referenced by id.
    const unmanaged = await h.api.createTsig(ACCOUNT, {
      name: 'unmanaged.example.com.',
      algo: 'hmac-sha256.',
      secret: new Secret('dW5tYW5hZ2VkLXRzaWctc2VjcmV0'),
    });
    const tsigId = unmanaged.resource.id;
    h.faults([{ kind: 'reset', operationId: 'secondary-dns-(-peer)-update-peer' }]);
    const create = peerCreate('ns1', { id: tsigId });
    const result = await h.apply([create]);
    expect(result.steps[0]).toMatchObject({ status: 'failed', error: { code: 'E_API_NETWORK' } });
    const state = await h.state();
    const rec = state.resources[key('SecondaryDnsPeer', 'ns1')]!;
    expect(rec).toMatchObject({ complete: false, origin: 'created' });
    expect(state.pending).toEqual({});
    const live = await h.api.listPeers(ACCOUNT);
    expect(live).toHaveLength(1);
    expect(live[0]).toMatchObject({ id: rec.id, name: 'ns1-peer' });
    expect(live[0]).not.toHaveProperty('ip');

    h.faults([]);
    const again = await h.apply([
      { ...create, id: stepId('update', 'SecondaryDnsPeer', 'ns1'), action: 'update', targetId: rec.id },
    ]);
    expect(again.ok).toBe(true);
    expect((await h.state()).resources[key('SecondaryDnsPeer', 'ns1')]).toMatchObject({ id: rec.id, complete: true });
    expect(await h.api.listPeers(ACCOUNT)).toMatchObject([{ id: rec.id, ip: '192.0.2.53', tsig_id: tsigId }]);
  });

  test('GIVEN the run dies between token create and sink write THEN the durable state holds the id as undelivered', async () => {
    // The sink write never happens: as if the process were killed right after the id was recorded.
    const crashing: SecretSinks = {
      defaultSink: h.sinks.defaultSink,
      names: () => h.sinks.names(),
      get: (name) => {
        const real = h.sinks.get(name);
        return {
          name: real.name,
          type: real.type,
          describe: (ref) => real.describe(ref),
          remove: (ref, token) => real.remove(ref, token),
          check: () => real.check(),
          put: () => Promise.reject(new Error('simulated crash: process killed')),
        };
      },
    };
    const result = await h.apply([tokenCreate('ci-deploy')], { sinks: crashing });
    expect(result.steps[0]!.error?.code).toBe('E_VALUE_UNDELIVERED');
    // What a fresh process would read back:
    const state = await h.state();
    expect(state.pending).toEqual({});
    expect(state.resources[key('AccountToken', 'ci-deploy')]).toMatchObject({ value_status: 'undelivered' });
    expect(await h.sinkFile()).toEqual({});
  });
});

describe('executePlan: adopt, update, roll, replace, delete, forget', () => {
  const tokenAddress = (name: string) => ({ kind: 'AccountToken' as const, account: ACCOUNT, name });

  test('GIVEN an unmanaged token with the desired name WHEN adopted with rollValue THEN recorded as adopted with a working value', async () => {
    const desired = tokenCreate('ci-deploy');
    const body = desired.body!.kind === 'AccountToken' ? desired.body!.body : undefined;
    const live = await h.api.createToken(ACCOUNT, { ...body!, name: 'cfgitops ci-deploy' });
    const orphanValue = live.value!.reveal();
    const result = await h.apply([
      {
        ...desired,
        id: stepId('adopt', 'AccountToken', 'ci-deploy'),
        action: 'adopt',
        targetId: live.resource.id,
        rollValue: true,
        resolvesIntent: 'intent-of-a-crashed-run',
      },
    ]);
    expect(result.ok).toBe(true);
    const state = await h.state();
    expect(state.resources[key('AccountToken', 'ci-deploy')]).toMatchObject({
      id: live.resource.id,
      origin: 'adopted',
      value_status: 'delivered',
    });
    const value = (await h.sinkFile())['ci-deploy'];
    expect(await verify(value)).toMatchObject({ id: live.resource.id });
    // The value nobody knew is dead: the roll replaced it.
    await expect(h.api.verifyToken(ACCOUNT, new Secret(orphanValue))).rejects.toMatchObject({ code: 'E_API_AUTH' });
  });

  test('GIVEN a bare peer left by a crashed create WHEN adopted with a diff THEN it is recorded and PUT in full', async () => {
    const bare = await h.api.createPeer(ACCOUNT, 'ns1-peer');
    const desired = peerCreate('ns1', undefined);
    const result = await h.apply([
      {
        ...desired,
        id: stepId('adopt', 'SecondaryDnsPeer', 'ns1'),
        action: 'adopt',
        targetId: bare.resource.id,
        diff: [{ path: '/ip', after: '192.0.2.53' }],
      },
    ]);
    expect(result.ok).toBe(true);
    expect((await h.state()).resources[key('SecondaryDnsPeer', 'ns1')]).toMatchObject({
      id: bare.resource.id,
      origin: 'adopted',
      complete: true,
    });
    expect(await h.api.listPeers(ACCOUNT)).toMatchObject([{ id: bare.resource.id, ip: '192.0.2.53', port: 53 }]);
  });

  test('GIVEN a managed token WHEN updated with rollValue and a new sink key THEN PUT, rolled, delivered under the new key', async () => {
    await h.apply([tokenCreate('ci-deploy')]);
    const rec = (await h.state()).resources[key('AccountToken', 'ci-deploy')]!;
    const before = (await h.sinkFile())['ci-deploy'];
    const step = tokenCreate('ci-deploy');
    if (step.body?.kind === 'AccountToken') step.body.body.status = 'disabled';
    const result = await h.apply([
      {
        ...step,
        id: stepId('update', 'AccountToken', 'ci-deploy'),
        action: 'update',
        targetId: rec.id,
        diff: [{ path: '/status', before: 'active', after: 'disabled' }],
        rollValue: true,
        sink: { sink: 'local', key: 'ci-deploy-v2' },
      },
    ]);
    expect(result.ok).toBe(true);
    expect((await h.api.getToken(ACCOUNT, rec.id)).status).toBe('disabled');
    const after = (await h.state()).resources[key('AccountToken', 'ci-deploy')]!;
    expect(after).toMatchObject({ id: rec.id, value_status: 'delivered', sink: { key: 'ci-deploy-v2' } });
    const sink = await h.sinkFile();
    expect(sink['ci-deploy-v2']).toBeDefined();
    expect(sink['ci-deploy-v2']).not.toBe(before);
    expect((await h.state()).pending).toEqual({});
  });

  test('GIVEN a revoked token WHEN replaced THEN the old one is deleted, a new one created, and its value delivered', async () => {
    await h.apply([tokenCreate('ci-deploy')]);
    const old = (await h.state()).resources[key('AccountToken', 'ci-deploy')]!;
    const result = await h.apply([
      {
        ...tokenCreate('ci-deploy'),
        id: stepId('replace', 'AccountToken', 'ci-deploy'),
        action: 'replace',
        targetId: old.id,
        rollValue: true,
      },
    ]);
    expect(result.ok).toBe(true);
    const rec = (await h.state()).resources[key('AccountToken', 'ci-deploy')]!;
    expect(rec.id).not.toBe(old.id);
    const live = (await h.api.listTokens(ACCOUNT)).filter((t) => t.name === 'cfgitops ci-deploy');
    expect(live.map((t) => t.id)).toEqual([rec.id]);
    expect(await verify((await h.sinkFile())['ci-deploy'])).toMatchObject({ id: rec.id });
  });

  test('GIVEN a roll intent left by a crashed run WHEN roll-secret resolves it THEN the intent is gone and the value works', async () => {
    await h.apply([tokenCreate('ci-deploy')]);
    const rec = (await h.state()).resources[key('AccountToken', 'ci-deploy')]!;
    const lock = await h.store.lock('test', 0);
    await lock.commit([
      {
        type: 'put-intent',
        intent: {
          id: 'crashed-roll',
          op: 'roll',
          kind: 'AccountToken',
          account: ACCOUNT,
          name: 'ci-deploy',
          cf_name: rec.cf_name,
          started_at: '2026-02-01T00:00:00.000Z',
          resource_id: rec.id,
          sink: rec.sink!,
        },
      },
    ]);
    await lock.release();
    const result = await h.apply([
      {
        id: stepId('roll-secret', 'AccountToken', 'ci-deploy'),
        action: 'roll-secret',
        address: tokenAddress('ci-deploy'),
        cfName: rec.cf_name,
        targetId: rec.id,
        reason: 'interrupted roll',
        diff: [],
        dependsOn: [],
        sink: rec.sink!,
        rollValue: true,
        resolvesIntent: 'crashed-roll',
      },
    ]);
    expect(result.ok).toBe(true);
    expect((await h.state()).pending).toEqual({});
    expect(await verify((await h.sinkFile())['ci-deploy'])).toMatchObject({ id: rec.id });
  });

  test('GIVEN managed resources, one already deleted out of band WHEN deleted and forgotten THEN state is empty', async () => {
    await h.apply([tsigCreate(h, 'xfr'), peerCreate('ns1', { ref: 'xfr' }), tokenCreate('gone')]);
    const state = await h.state();
    const tsig = state.resources[key('SecondaryDnsTsig', 'xfr')]!;
    const peer = state.resources[key('SecondaryDnsPeer', 'ns1')]!;
    const token = state.resources[key('AccountToken', 'gone')]!;
    await h.api.deleteToken(ACCOUNT, token.id);
    const del = (kind: 'SecondaryDnsTsig' | 'SecondaryDnsPeer' | 'AccountToken', name: string, id: string) => ({
      id: stepId('delete', kind, name),
      action: 'delete' as const,
      address: { kind, account: ACCOUNT, name },
      cfName: name,
      targetId: id,
      reason: 'not in manifests (--prune)',
      diff: [],
      dependsOn: [] as string[],
    });
    const result = await h.apply([
      del('SecondaryDnsPeer', 'ns1', peer.id),
      { ...del('SecondaryDnsTsig', 'xfr', tsig.id), dependsOn: [stepId('delete', 'SecondaryDnsPeer', 'ns1')] },
      del('AccountToken', 'gone', token.id),
    ]);
    expect(result.steps.map((s) => s.status)).toEqual(['succeeded', 'succeeded', 'succeeded']);
    expect((await h.state()).resources).toEqual({});
    expect(await h.api.listPeers(ACCOUNT)).toEqual([]);
    expect(await h.api.listTsigs(ACCOUNT)).toEqual([]);
  });

  test('GIVEN no-op steps carrying the prevent-destroy annotation or not THEN the state copy follows, with no API call', async () => {
    await h.apply([
      tokenCreate('a'),
      tokenCreate('b', 'local', { annotations: { [ANNOTATION_PREVENT_DESTROY]: 'true' } }),
    ]);
    h.emulator.counts.clear();
    const noop = (name: string, annotations: Record<string, string> | undefined) => ({
      ...tokenCreate(name),
      id: stepId('no-op', 'AccountToken', name),
      action: 'no-op' as const,
      ...(annotations ? { annotations } : {}),
    });
    await h.apply([noop('a', { [ANNOTATION_PREVENT_DESTROY]: 'true' }), noop('b', {})]);
    let state = await h.state();
    expect(state.resources[key('AccountToken', 'a')]?.prevent_destroy).toBe(true);
    expect(state.resources[key('AccountToken', 'b')]).not.toHaveProperty('prevent_destroy');
    // A step that says nothing about annotations leaves the recorded flag alone.
    await h.apply([noop('a', undefined)]);
    state = await h.state();
    expect(state.resources[key('AccountToken', 'a')]?.prevent_destroy).toBe(true);
    expect(h.emulator.counts.total).toBe(0);
  });
});

test('GIVEN token creates and rolls WHEN each value reaches the sink THEN the durable state already records that token id as undelivered', async () => {
  const seen: { id: string; recorded: unknown }[] = [];
  const watching: SecretSinks = {
    defaultSink: h.sinks.defaultSink,
    names: () => h.sinks.names(),
    get: (name) => {
      const real = h.sinks.get(name);
      return {
        name: real.name,
        type: real.type,
        describe: (ref) => real.describe(ref),
        remove: (ref, token) => real.remove(ref, token),
        check: () => real.check(),
        put: async (ref, token, value) => {
          // What a fresh process would read at this instant.
          const rec = (await h.state()).resources[key('AccountToken', token.name)];
          seen.push({ id: token.id, recorded: rec && { id: rec.id, value_status: rec.value_status } });
          await real.put(ref, token, value);
        },
      };
    },
  };
  h.faults([{ kind: 'commit-then-drop', operationId: 'account-api-tokens-create-token', times: 1 }]);
  const result = await h.apply([tokenCreate('recovered'), tokenCreate('plain')], { sinks: watching, concurrency: 1 });
  expect(result.ok).toBe(true);
  expect(seen).toHaveLength(2);
  for (const s of seen) expect(s.recorded).toEqual({ id: s.id, value_status: 'undelivered' });
});

test('GIVEN Cloudflare refuses a roll WHEN roll-secret runs THEN the record is restored as it was and no intent is left', async () => {
  await h.apply([tokenCreate('ci-deploy')]);
  const before = (await h.state()).resources[key('AccountToken', 'ci-deploy')]!;
  h.faults([{ kind: 'error', operationId: 'account-api-tokens-roll-token', status: 400 }]);
  const result = await h.apply([
    {
      id: stepId('roll-secret', 'AccountToken', 'ci-deploy'),
      action: 'roll-secret',
      address: { kind: 'AccountToken', account: ACCOUNT, name: 'ci-deploy' },
      cfName: before.cf_name,
      targetId: before.id,
      reason: 'sink changed',
      diff: [],
      dependsOn: [],
      sink: { sink: 'local', key: 'moved' },
      rollValue: true,
    },
  ]);
  expect(result.steps[0]).toMatchObject({ status: 'failed', error: { code: 'E_API' } });
  const state = await h.state();
  expect(state.pending).toEqual({});
  expect(state.resources[key('AccountToken', 'ci-deploy')]).toEqual(before);
  expect(await verify((await h.sinkFile())['ci-deploy'])).toMatchObject({ id: before.id });
});
