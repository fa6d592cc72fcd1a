/**
 * GitHub push webhooks: `X-Hub-Signature-256: sha256=<hex HMAC of the raw body>` with the webhook secret, compared
 * in constant time. A request without that header, or with a wrong one, is refused before its body is parsed.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

export type SignatureCheck = 'ok' | 'unsigned' | 'bad-signature';

export function checkSignature(secret: string, body: Buffer, header: string | undefined): SignatureCheck {
  if (header === undefined || header === '') return 'unsigned';
  const m = /^sha256=([0-9a-f]{64})$/i.exec(header.trim());
  if (!m) return 'bad-signature';
  const expected = createHmac('sha256', secret).update(body).digest();
  const given = Buffer.from(m[1]!, 'hex');
  return given.length === expected.length && timingSafeEqual(given, expected) ? 'ok' : 'bad-signature';
}

export function signBody(secret: string, body: string | Buffer): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
}

export type PushVerdict =
  | { kind: 'reconcile'; commit?: string; ref: string }
  | { kind: 'ignored'; why: string }
  | { kind: 'invalid'; why: string };

/** What a verified delivery asks for: only a push to the watched branch triggers a cycle. */
export function pushVerdict(event: string | undefined, body: Buffer, branch: string | undefined): PushVerdict {
  if (event === 'ping') return { kind: 'ignored', why: 'ping' };
  if (event !== 'push') return { kind: 'ignored', why: `event ${event ?? '(none)'} is not a push` };
  let payload: unknown;
  try {
    payload = JSON.parse(body.toString('utf8'));
  } catch {
    return { kind: 'invalid', why: 'the body is not JSON (set the webhook content type to application/json)' };
  }
  const p = payload as { ref?: unknown; after?: unknown; deleted?: unknown };
  if (typeof p.ref !== 'string') return { kind: 'invalid', why: 'the push payload has no ref' };
  if (branch !== undefined && p.ref !== `refs/heads/${branch}`) {
    return { kind: 'ignored', why: `push to ${p.ref}, not refs/heads/${branch}` };
  }
  if (p.deleted === true) return { kind: 'ignored', why: `${p.ref} was deleted` };
  return {
    kind: 'reconcile',
    ref: p.ref,
    ...(typeof p.after === 'string' && /^[0-9a-f]{40,64}$/.test(p.after) ? { commit: p.after } : {}),
  };
}
