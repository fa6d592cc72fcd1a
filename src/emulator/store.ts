/**
 * The emulator's in-memory accounts (any 32-hex account id is its own namespace) and their optional persistence.
 *
 * Persistence writes the whole document after each mutation, atomically (temp file + rename, mode 0600), so a
 * consecutive CLI run sees the same account. Token values are never written: a real API cannot return them
 * either. Only the sha256 of each current value is kept, which is enough for auth and verify after a restart.
 */
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, basename, join } from 'node:path';
import { CfgitopsError } from '../errors.js';

export interface StoredPeer {
  id: string;
  name: string;
  ip?: string;
  port?: number;
  ixfr_enable?: boolean;
  tsig_id?: string;
}

export interface StoredTsig {
  id: string;
  name: string;
  algo: string;
  secret: string;
}

export interface StoredPermissionGroupRef {
  id: string;
  name: string;
  meta?: Record<string, string>;
}

export interface StoredPolicy {
  id: string;
  effect: 'allow' | 'deny';
  permission_groups: StoredPermissionGroupRef[];
  resources: Record<string, unknown>;
}

export type StoredTokenStatus = 'active' | 'disabled' | 'revoked (exposed)';

export interface StoredToken {
  id: string;
  name: string;
  /** `expired` is never stored: it is derived from expires_on and the emulator's clock. */
  status: StoredTokenStatus;
  policies: StoredPolicy[];
  condition?: { request_ip?: { in?: string[]; not_in?: string[] } };
  expires_on?: string;
  not_before?: string;
  issued_on: string;
  modified_on: string;
  last_used_on?: string;
  /** sha256 (hex) of the current value; the value itself is never stored. */
  value_sha256: string;
}

export interface StoredAcl {
  id: string;
  name: string;
  ip_range: string;
}

/** A zone transfer configuration (incoming on a secondary zone, outgoing on a primary one): one per zone. */
export interface StoredZoneTransfer {
  id: string;
  name: string;
  peers: string[];
  auto_refresh_seconds?: number;
  checked_time: string;
  created_time: string;
  modified_time: string;
  soa_serial: number;
  last_transferred_time?: string;
  /** Outgoing only: transfers enabled (`POST …/outgoing/enable`) or not. */
  enabled?: boolean;
}

/** A zone, created through the control API; it belongs to one account and is primary or secondary. */
export interface StoredZone {
  id: string;
  account: string;
  name: string;
  type: 'primary' | 'secondary';
  incoming?: StoredZoneTransfer;
  outgoing?: StoredZoneTransfer;
}

export interface Account {
  peers: Map<string, StoredPeer>;
  tsigs: Map<string, StoredTsig>;
  tokens: Map<string, StoredToken>;
  acls: Map<string, StoredAcl>;
}

interface PersistedDocument {
  format: 'cfgitops-emulator';
  version: 1;
  accounts: Record<
    string,
    { peers: StoredPeer[]; tsigs: StoredTsig[]; tokens: StoredToken[]; acls?: StoredAcl[] | undefined }
  >;
  zones?: StoredZone[] | undefined;
}

export class EmulatorStore {
  readonly accounts = new Map<string, Account>();
  /** By zone id; zone ids are global, as at Cloudflare. */
  readonly zones = new Map<string, StoredZone>();
  readonly #dataFile: string | undefined;
  /** sha256(value) → owning token, for authenticating minted tokens in O(1). */
  readonly #byValueHash = new Map<string, { account: string; tokenId: string }>();

  /**
   * What the data file holds (or, with none yet, the empty store): a persist that would write the same bytes writes
   * nothing, so a read-only run (`plan --emulator` on a pull request) leaves the repository as it found it.
   */
  #written: string;

  constructor(dataFile?: string) {
    this.#dataFile = dataFile;
    if (dataFile !== undefined && existsSync(dataFile)) this.#load(dataFile);
    this.#written = this.#serialize();
  }

  account(id: string): Account {
    let acct = this.accounts.get(id);
    if (!acct) {
      acct = { peers: new Map(), tsigs: new Map(), tokens: new Map(), acls: new Map() };
      this.accounts.set(id, acct);
    }
    return acct;
  }

  findTokenByValueHash(hash: string): { account: string; token: StoredToken } | undefined {
    const ref = this.#byValueHash.get(hash);
    if (!ref) return undefined;
    const token = this.accounts.get(ref.account)?.tokens.get(ref.tokenId);
    return token && token.value_sha256 === hash ? { account: ref.account, token } : undefined;
  }

  putToken(account: string, token: StoredToken, previousHash?: string): void {
    if (previousHash !== undefined) this.#byValueHash.delete(previousHash);
    this.account(account).tokens.set(token.id, token);
    this.#byValueHash.set(token.value_sha256, { account, tokenId: token.id });
  }

  deleteToken(account: string, id: string): void {
    const token = this.accounts.get(account)?.tokens.get(id);
    if (!token) return;
    this.#byValueHash.delete(token.value_sha256);
    this.accounts.get(account)?.tokens.delete(id);
  }

  clear(): void {
    this.accounts.clear();
    this.zones.clear();
    this.#byValueHash.clear();
  }

  /** Called after every mutation. Synchronous so that a commit-then-drop fault still leaves the write on disk. */
  persist(): void {
    const file = this.#dataFile;
    if (file === undefined) return;
    const text = this.#serialize();
    if (text === this.#written) return;
    const tmp = join(dirname(file), `.${basename(file)}.${process.pid}.tmp`);
    // The directory may not exist yet (first run) or may have been removed while the emulator ran.
    mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
    writeFileSync(tmp, text, { mode: 0o600 });
    chmodSync(tmp, 0o600);
    renameSync(tmp, file);
    this.#written = text;
  }

  /** Accounts with nothing in them are left out: reading an account's lists creates it, and that is no change. */
  #serialize(): string {
    const doc: PersistedDocument = { format: 'cfgitops-emulator', version: 1, accounts: {} };
    for (const [id, acct] of this.accounts) {
      if (acct.peers.size + acct.tsigs.size + acct.tokens.size + acct.acls.size === 0) continue;
      doc.accounts[id] = {
        peers: [...acct.peers.values()],
        tsigs: [...acct.tsigs.values()],
        tokens: [...acct.tokens.values()],
        acls: [...acct.acls.values()],
      };
    }
    if (this.zones.size > 0) doc.zones = [...this.zones.values()];
    return JSON.stringify(doc, null, 2) + '\n';
  }

  #load(file: string): void {
    let doc: Partial<PersistedDocument> | undefined;
    try {
      doc = JSON.parse(readFileSync(file, 'utf8')) as Partial<PersistedDocument>;
    } catch {
      doc = undefined;
    }
    if (doc?.format !== 'cfgitops-emulator' || doc.version !== 1 || typeof doc.accounts !== 'object') {
      throw new CfgitopsError('E_USAGE', `${file} is not an emulator data file (format cfgitops-emulator, version 1)`, {
        hint: 'point --data at a new file or at one an earlier emulator wrote; it is never overwritten',
      });
    }
    for (const [id, data] of Object.entries(doc.accounts)) {
      const acct = this.account(id);
      for (const p of data.peers) acct.peers.set(p.id, p);
      for (const t of data.tsigs) acct.tsigs.set(t.id, t);
      for (const t of data.tokens) this.putToken(id, t);
      for (const a of data.acls ?? []) acct.acls.set(a.id, a);
    }
    for (const z of doc.zones ?? []) this.zones.set(z.id, z);
  }
}
