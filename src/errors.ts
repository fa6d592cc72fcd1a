/**
 * The one error type of cfgitops, and the one registry of its codes.
 *
 * Codes are stable string literals: tests and `--format json` consumers switch on them, never on wording.
 * Add a code here (with a one-line summary) before throwing it anywhere.
 */

export const ERROR_CODES = {
  // manifest files and YAML
  E_FILE_READ: 'a manifest or referenced file could not be read',
  E_FILE_TOO_LARGE: 'a manifest file is over the size cap',
  E_FILE_ENCODING: 'a manifest file is not valid UTF-8',
  E_YAML_SYNTAX: 'YAML syntax error',
  E_YAML_DUPLICATE_KEY: 'a mapping has the same key twice',
  E_YAML_TAB: 'tab characters used for indentation',
  E_YAML_ALIAS_LIMIT: 'too many YAML alias expansions (alias bomb)',
  E_DOC_EMPTY: 'an empty file or document',
  E_DOC_NOT_MAP: 'a document is not a mapping',
  E_DOC_LIMIT: 'too many documents in one file',
  E_UNKNOWN_API_VERSION: 'apiVersion is not one cfgitops knows',
  E_UNKNOWN_KIND: 'kind is not one cfgitops knows',
  E_SCHEMA: 'a manifest does not match its JSON Schema',
  E_INLINE_SECRET: 'a secret was written inline instead of fromEnv/fromFile',
  // cross-document checks
  E_DUPLICATE_RESOURCE: 'the same (kind, account, metadata.name) is declared twice',
  E_DUPLICATE_CF_NAME: 'two resources of one kind and account share a Cloudflare name',
  E_UNRESOLVED_REFERENCE: 'a reference to another resource does not resolve',
  E_UNKNOWN_ACCOUNT: 'an account alias is not defined in config',
  E_UNKNOWN_ZONE: 'a zone is neither an alias in the Config spec.zones nor a 32-hex zone id',
  E_ZONE_NAME_MISSING: 'a zone given by id needs spec.name',
  E_ZONE_TYPE: "a zone transfer link the zone's type cannot take (incoming needs a secondary zone, outgoing a primary)",
  E_ZONE_LINK_IN_USE: 'a peer or TSIG key to be deleted is still used by a zone transfer link',
  E_TIME_RANGE: 'expires_on is not after not_before, or already past',
  E_PATH_ESCAPE: 'a fromFile path leaves the repository',
  E_CIDR_HOST_BITS: 'a CIDR has bits set after its prefix (10.0.0.1/8 for 10.0.0.0/8)',
  E_ACL_RANGE: 'a Secondary DNS ACL range is wider than Cloudflare allows (/24 IPv4, /64 IPv6)',
  E_DUPLICATE_CONFIG: 'more than one Config document',
  E_CONFIG: 'the configuration is invalid',
  // secrets given by reference
  E_SECRET_ENV_MISSING: 'a fromEnv secret variable is not set',
  E_SECRET_FILE: 'a fromFile secret cannot be read',
  // permission groups (resolved at plan time against the live catalog)
  E_PERMISSION_GROUP_UNKNOWN: 'no permission group has that name (and scope)',
  E_PERMISSION_GROUP_AMBIGUOUS: 'a permission group name exists at several scopes',
  // planning and guardrails
  E_PREVENT_DESTROY: 'a delete is blocked by cfgitops.dev/prevent-destroy',
  E_MASS_DELETE: 'the plan deletes more than the allowed share of managed resources',
  E_ADOPT_AMBIGUOUS: 'several unmanaged live resources match a desired name',
  E_TOKEN_QUOTA: 'the plan would hold more account tokens than Cloudflare allows per account (500)',
  E_POLICY_VIOLATION: 'a guardrail from the policy section is violated',
  E_PLAN_STALE: 'a saved plan no longer matches state or manifests',
  E_PLAN_FILE: 'a saved plan file is unreadable or not a plan',
  // state and locking
  E_STATE_CORRUPT: 'the state cannot be parsed or is inconsistent',
  E_STATE_VERSION: 'the state was written by a newer format',
  E_SECRET_REF_FORBIDDEN: 'a TSIG secret reference names a credential variable or a file that holds credentials',
  E_STATE_SCHEMA: 'the PostgreSQL state schema is missing or behind, and this command may not create or migrate it',
  E_STATE_CONFLICT: 'the state changed underneath this run (serial or lineage mismatch)',
  E_STATE_LOCKED: 'another run holds the state lock',
  E_STATE_IO: 'the state could not be read or written',
  E_STATE_NOT_FOUND: 'no such resource in state',
  // secret sinks
  E_SINK_UNKNOWN: 'a token names a sink that is not configured',
  E_SINK_WRITE: 'a secret sink failed to store a value',
  E_SINK_CHECK: 'a secret sink is not reachable or writable',
  E_VALUE_UNDELIVERED: 'a token value could not be delivered; the next apply rolls it',
  E_SINK_NOT_READY: 'a sink a new token value would go to failed its check; nothing was minted',
  // Cloudflare API and transport
  E_CREDENTIALS_MISSING: 'no Cloudflare credentials configured',
  E_CREDENTIALS_INVALID: 'a Cloudflare credential variable is malformed (quotes, whitespace, wrong characters)',
  E_INSECURE_BASE_URL: 'plain http is allowed only for loopback hosts',
  E_API: 'the Cloudflare API answered with an error',
  E_API_AUTH: 'the Cloudflare API refused the credentials',
  E_API_NOT_FOUND: 'the Cloudflare resource does not exist',
  E_API_RATE_LIMITED: 'the Cloudflare API rate limit was hit and the deadline passed',
  E_API_NETWORK: 'the Cloudflare API could not be reached',
  E_API_REQUEST: 'a request could not be built locally (invalid header or argument); it was never sent',
  E_API_TIMEOUT: 'the Cloudflare API did not answer in time',
  E_API_RESPONSE: 'the Cloudflare API answered with something unexpected',
  E_API_QUOTA: 'an account quota was reached',
  // execution
  E_APPLY_PARTIAL: 'some steps of the apply failed',
  E_ABORTED: 'the run was interrupted',
  E_ROTATE_SKIPPED: 'rotate left a selected token alone (gone from Cloudflare, or mid-way through another run)',
  E_USAGE: 'the command line is wrong',
  // import and CI integration
  E_IMPORT_NOT_DECLARED: 'import names no resource of that kind in the manifests',
  E_IMPORT_CONFLICT: 'import refused: the name or the Cloudflare id is already recorded in state',
  E_EXPORT_CONFLICT: 'export refused to overwrite a file that changed while it ran',
  E_GITHUB: 'the GitHub API refused or failed a pull-request comment',
  // the controller
  E_SOURCE: 'the controller could not fetch its manifest source (git clone/fetch, or the directory)',
  E_LEADERSHIP_LOST: 'the controller lost leadership (its PostgreSQL session ended) during a cycle',
  E_INTERNAL: 'a bug in cfgitops',
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;

/** Where in the user's files a problem is. Lines and columns are 1-based. */
export interface SourceLocation {
  file: string;
  line: number;
  col: number;
  /** JSON pointer inside the document, e.g. `/spec/policies/0/effect`. */
  pointer?: string;
}

export interface CfgitopsErrorOptions {
  location?: SourceLocation | undefined;
  hint?: string | undefined;
  cause?: unknown;
}

export class CfgitopsError extends Error {
  override readonly name: string = 'CfgitopsError';
  readonly code: ErrorCode;
  readonly location: SourceLocation | undefined;
  readonly hint: string | undefined;

  constructor(code: ErrorCode, message: string, options: CfgitopsErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.location = options.location;
    this.hint = options.hint;
  }

  /**
   * `file:line:col /pointer message` — the one-line form users see. One line whatever the message quotes: a field
   * name or value from a pull request's manifest may hold line breaks, and a line of output starting with `::` is a
   * command to the GitHub Actions runner (`::add-mask::`, `::stop-commands::`), so control characters are escaped.
   */
  format(): string {
    const where = this.location ? `${formatLocation(this.location)} ` : '';
    const hint = this.hint ? ` (${this.hint})` : '';
    return escapeControls(`${where}${this.message}${hint}`);
  }

  toJSON(): CfgitopsErrorJson {
    return {
      code: this.code,
      message: this.message,
      ...(this.location ? { location: this.location } : {}),
      ...(this.hint ? { hint: this.hint } : {}),
    };
  }
}

export interface CfgitopsErrorJson {
  code: ErrorCode;
  message: string;
  location?: SourceLocation;
  hint?: string;
}

/** Several user errors at once: the loader and the planner report everything they find, not just the first. */
export class CfgitopsErrors extends CfgitopsError {
  override readonly name: string = 'CfgitopsErrors';
  readonly errors: readonly CfgitopsError[];

  constructor(errors: readonly CfgitopsError[]) {
    const first = errors[0];
    super(first?.code ?? 'E_INTERNAL', `${errors.length} error(s); first: ${first?.format() ?? 'none'}`);
    this.errors = errors;
  }
}

/** `\n`, `\r` and other control characters (ESC included) as visible escapes, so text stays on one line. */
export function escapeControls(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\u0000-\u0008\u000a-\u001f\u007f]/g, (c) =>
    c === '\n' ? '\\n' : c === '\r' ? '\\r' : `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}

export function formatLocation(loc: SourceLocation): string {
  const pointer = loc.pointer ? ` ${loc.pointer}` : '';
  return `${loc.file}:${loc.line}:${loc.col}${pointer}`;
}

export function isCfgitopsError(e: unknown): e is CfgitopsError {
  return e instanceof CfgitopsError;
}

/** Flattens one error or a collection into the list users see. */
export function errorList(e: CfgitopsError): readonly CfgitopsError[] {
  return e instanceof CfgitopsErrors ? e.errors : [e];
}

/** Any failure as a CfgitopsError for a report: a bug becomes E_INTERNAL (its stack goes to stderr as usual). */
export function asCfgitopsError(e: unknown): CfgitopsError {
  if (e instanceof CfgitopsError) return e;
  return new CfgitopsError('E_INTERNAL', `internal error: ${e instanceof Error ? e.message : String(e)}`, {
    hint: 'this is a bug in cfgitops; please report it with the stack trace printed on stderr',
  });
}
