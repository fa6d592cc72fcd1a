/**
 * The checks one resource document gets beyond its JSON Schema: account alias, sink name, token times, `fromFile`
 * staying inside the repository, CIDRs without host bits. They run whether or not the schema passed — a typo in one
 * field must not hide an unknown alias in another until the next run — so every field is read as `unknown` and a
 * check whose field the schema already refused stays silent (one error per mistake). Pure.
 */
import path from 'node:path';
import type { ResolvedConfig } from '../config/types.js';
import { credentialEnvReason } from '../credential-env.js';
import { CfgitopsError, type ErrorCode, type SourceLocation } from '../errors.js';
import { cidrWithHostBits } from '../planner/net.js';
import { kindOf } from '../kinds/registry.js';
import { ACCOUNT_ID_PATTERN, type ResourceKind } from '../resources.js';
import { didYouMeanHint } from './did-you-mean.js';
import type { ParsedDocument } from './parse-manifest-file.js';
import { ACCOUNT_REF_PATTERN } from './schemas/common-schemas.js';
import { isCidr } from './formats.js';

export interface DocumentCheckContext {
  config: ResolvedConfig;
  /** False when the Config document itself is broken: alias and sink checks would only add noise. */
  configUsable: boolean;
  now: number;
  root: string;
}

/** A `fromFile` a TSIG reads its secret from: `validate` checks that it exists (the pure loader cannot). */
export interface SecretFileRef {
  absPath: string;
  locate(): SourceLocation;
}

export interface DocumentCheck {
  /** The resolved 32-hex account id; absent when the account reference is missing, malformed or unknown. */
  account?: string;
  /** The alias the document used, when it used one. */
  accountAlias?: string;
  secretFile?: SecretFileRef;
  errors: CfgitopsError[];
}

const ACCOUNT_REF = new RegExp(ACCOUNT_REF_PATTERN);

/** The variables holding the GitHub sinks' tokens: credentials too. */
export function sinkTokenEnvs(config: Pick<ResolvedConfig, 'sinks'>): string[] {
  return Object.values(config.sinks).flatMap((s) => (s.type === 'github-actions' ? [s.tokenEnv] : []));
}

/**
 * Directories inside the repository that hold credentials: `.git` (actions/checkout keeps the job's token in
 * .git/config) and `.cfgitops` (the file sink's token values). A TSIG secret read from there would carry a credential
 * to Cloudflare. Returns the directory, or undefined when `absPath` is elsewhere.
 */
export function reservedSecretDir(root: string, absPath: string): string | undefined {
  const first = path.relative(root, absPath).split(path.sep)[0] ?? '';
  return ['.git', '.cfgitops'].find((d) => d === first.toLowerCase());
}

export function checkDocument(parsed: ParsedDocument, kind: ResourceKind, ctx: DocumentCheckContext): DocumentCheck {
  const errors: CfgitopsError[] = [];
  const { locate } = parsed;
  const fail = (code: ErrorCode, pointer: string, msg: string, hint?: string) =>
    errors.push(new CfgitopsError(code, msg, { location: locate(pointer), hint }));
  const doc = parsed.value as { metadata?: unknown; spec?: unknown };
  const metadata = asRecord(doc.metadata);
  const spec = asRecord(doc.spec);
  const out: DocumentCheck = { errors };

  const accountRef = metadata?.['account'];
  if (typeof accountRef === 'string' && ACCOUNT_REF.test(accountRef)) {
    const aliased = Object.hasOwn(ctx.config.accounts, accountRef) ? ctx.config.accounts[accountRef] : undefined;
    if (aliased !== undefined) {
      out.account = aliased;
      out.accountAlias = accountRef;
    } else if (ACCOUNT_ID_PATTERN.test(accountRef)) {
      out.account = accountRef;
    } else if (ctx.configUsable) {
      fail(
        'E_UNKNOWN_ACCOUNT',
        '/metadata/account',
        `account alias ${accountRef} is not defined`,
        didYouMeanHint(accountRef, Object.keys(ctx.config.accounts)) ??
          'define it under spec.accounts in the Config document, or use the 32-hex account id',
      );
    }
  }
  if (!spec) return out;
  errors.push(...(kindOf(kind).checkSpec?.(spec, locate, ctx.config) ?? []));

  if (kind === 'SecondaryDnsTsig') {
    const fromEnv = asRecord(spec['secret'])?.['fromEnv'];
    const credential =
      typeof fromEnv === 'string' ? credentialEnvReason(fromEnv, sinkTokenEnvs(ctx.config)) : undefined;
    if (credential !== undefined) {
      fail(
        'E_SECRET_REF_FORBIDDEN',
        '/spec/secret/fromEnv',
        `fromEnv may not name ${String(fromEnv)}: ${credential}`,
        'keep each TSIG secret in a variable of its own, e.g. TSIG_NS1_SECRET (docs/security.md)',
      );
    }
    const fromFile = asRecord(spec['secret'])?.['fromFile'];
    if (typeof fromFile === 'string' && fromFile !== '') {
      const absPath = path.resolve(parsed.file.absDir, fromFile);
      const reserved = escapes(ctx.root, absPath) ? undefined : reservedSecretDir(ctx.root, absPath);
      if (escapes(ctx.root, absPath)) {
        fail(
          'E_PATH_ESCAPE',
          '/spec/secret/fromFile',
          'fromFile points outside the repository',
          `keep secret files inside ${ctx.root}, or use fromEnv`,
        );
      } else if (reserved !== undefined) {
        fail(
          'E_SECRET_REF_FORBIDDEN',
          '/spec/secret/fromFile',
          `fromFile may not read from ${reserved}/: it holds credentials (git's checkout token, cfgitops' token values)`,
          'keep TSIG secret files in a directory of their own inside the repository (docs/security.md)',
        );
      } else {
        out.secretFile = { absPath, locate: () => locate('/spec/secret/fromFile') };
      }
    }
  } else if (kind === 'AccountToken') {
    checkTimes(spec, fail);
    const secret = asRecord(spec['secret']);
    const named = secret?.['sink'];
    const sink =
      typeof named === 'string'
        ? named
        : secret === undefined || !('sink' in secret)
          ? ctx.config.defaultSink
          : undefined;
    if (sink !== undefined && ctx.configUsable && !Object.hasOwn(ctx.config.sinks, sink)) {
      const names = Object.keys(ctx.config.sinks);
      fail(
        'E_SINK_UNKNOWN',
        typeof named === 'string' ? '/spec/secret/sink' : '/spec',
        `sink ${sink} is not configured`,
        didYouMeanHint(sink, names) ?? `configured sinks: ${names.join(', ')} (Config spec.secrets.sinks)`,
      );
    }
    const requestIp = asRecord(asRecord(spec['condition'])?.['request_ip']);
    for (const key of ['in', 'not_in'] as const) {
      errors.push(...cidrHostBitErrors(requestIp?.[key], `/spec/condition/request_ip/${key}`, locate));
    }
  }
  return out;
}

/** `10.0.0.1/8` means 10.0.0.0/8 to Cloudflare: refused, since the writer almost certainly meant something else. */
export function cidrHostBitErrors(
  list: unknown,
  pointer: string,
  locate: (pointer: string) => SourceLocation,
): CfgitopsError[] {
  if (!Array.isArray(list)) return [];
  const errors: CfgitopsError[] = [];
  list.forEach((item, i) => {
    if (typeof item !== 'string') return;
    const network = hostBitNetwork(item);
    if (network === undefined) return;
    errors.push(
      new CfgitopsError('E_CIDR_HOST_BITS', `${item} has host bits set after the /${network.split('/')[1]} prefix`, {
        location: locate(`${pointer}/${i}`),
        hint: `write the network address ${network}, or a longer prefix (e.g. ${item.split('/')[0]}/${item.includes(':') ? 128 : 32}) for that single host`,
      }),
    );
  });
  return errors;
}

/**
 * The network address of a CIDR written with host bits set; undefined for one without, or for text that is not a
 * CIDR (the schema says so). Once per distinct text, bounded like net.ts' own memo: every token of a repository tends
 * to list the same few ranges, and each was parsed twice here (P3: ~3 parses per CIDR per load).
 */
function hostBitNetwork(item: string): string | undefined {
  let network = hostBitMemo.get(item);
  if (network === undefined) {
    if (hostBitMemo.size >= HOST_BIT_MEMO_LIMIT) hostBitMemo.clear();
    network = (isCidr(item) ? cidrWithHostBits(item) : undefined) ?? null;
    hostBitMemo.set(item, network);
  }
  return network ?? undefined;
}

const HOST_BIT_MEMO_LIMIT = 10_000;
/** null: checked, nothing to report. */
const hostBitMemo = new Map<string, string | null>();

/**
 * Only what is wrong at any time: expires_on not after not_before. An expires_on already past is not a manifest
 * error — the day a token expires is a normal event in its life, which the plan shows (docs/token-lifecycle.md);
 * refusing it here would fail every plan and drift of the repository from that day on.
 */
function checkTimes(
  spec: Record<string, unknown>,
  fail: (code: 'E_TIME_RANGE', pointer: string, msg: string, hint?: string) => void,
): void {
  const expiresOn = spec['expires_on'];
  if (typeof expiresOn !== 'string') return;
  const expires = Date.parse(expiresOn);
  if (Number.isNaN(expires)) return;
  const notBefore = typeof spec['not_before'] === 'string' ? Date.parse(spec['not_before']) : NaN;
  if (!Number.isNaN(notBefore) && expires <= notBefore) {
    fail('E_TIME_RANGE', '/spec/expires_on', 'expires_on is not after not_before', 'move expires_on later');
  }
}

function asRecord(v: unknown): Record<string, unknown> | undefined {
  return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
}

export function escapes(root: string, target: string): boolean {
  const rel = path.relative(root, target);
  return rel === '..' || rel.startsWith(`..${path.sep}`) || path.isAbsolute(rel);
}
