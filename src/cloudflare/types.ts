/**
 * The API slice cfgitops manages, as the rest of cfgitops sees it (see src/contract/openapi.json and docs/cloudflare-api.md).
 * The client (`src/cloudflare/`) implements `CloudflareApi`; the observer and the executor use only this interface.
 * Secret fields are `Secret`, never plain strings.
 */
import type { Secret } from '../secret.js';

export interface CfPeer {
  id: string;
  name: string;
  ip?: string;
  port?: number;
  ixfr_enable?: boolean;
  tsig_id?: string;
}

/** PUT body of a peer: full replacement (docs/cloudflare-api.md: send every desired field). */
export interface CfPeerBody {
  name: string;
  ip?: string;
  port?: number;
  ixfr_enable?: boolean;
  tsig_id?: string;
}

export interface CfTsig {
  id: string;
  name: string;
  algo: string;
  /** The TSIG GET returns the secret (docs/cloudflare-api.md); it is wrapped as soon as it is parsed. */
  secret: Secret;
}

export interface CfTsigBody {
  name: string;
  algo: string;
  secret: Secret;
}

/** A Secondary DNS ACL: an address range allowed to AXFR primary zones and to NOTIFY secondary ones. */
export interface CfAcl {
  id: string;
  name: string;
  ip_range: string;
}

/** Create/PUT body of an ACL (PUT is a full replacement). */
export interface CfAclBody {
  name: string;
  ip_range: string;
}

/** Which side of a zone transfer Cloudflare is: `incoming` (secondary, transfers in) or `outgoing` (primary). */
export type TransferDirection = 'incoming' | 'outgoing';

/** A zone's transfer configuration in one direction (one per zone and direction). Its `id` is the zone's. */
export interface CfZoneTransfer {
  id: string;
  /** The zone id it was read from (not in the API body: the path). */
  zone_id: string;
  name: string;
  peers: string[];
  /** Incoming only. */
  auto_refresh_seconds?: number;
  soa_serial?: number;
  checked_time?: string;
  last_transferred_time?: string;
  /** Outgoing only: `GET …/outgoing/status` (e.g. "Enabled", "Disabled"). */
  status?: string | null;
}

/** `GET /zones/{zone_id}`, the part cfgitops reads. */
export interface CfZone {
  id: string;
  name: string;
  /** `full` (Cloudflare hosts its DNS: a primary for outgoing transfers), `secondary` (incoming), `partial`, `internal`. */
  type?: string;
}

export interface CfZoneTransferBody {
  name: string;
  peers: string[];
  /** Incoming only. */
  auto_refresh_seconds?: number;
}

/** Flat (`"com.cloudflare.api.account.zone.<id>": "*"`) or nested (account → zone map). */
export type CfResources = Record<string, string | Record<string, string>>;

export interface CfPermissionGroupRef {
  id: string;
  meta?: Record<string, string>;
  /** Returned by the API for readability; never sent. */
  name?: string;
}

export interface CfPolicy {
  /** Read-only: assigned by Cloudflare. */
  id?: string;
  effect: 'allow' | 'deny';
  permission_groups: CfPermissionGroupRef[];
  resources: CfResources;
}

export interface CfCondition {
  /** Always written as `request_ip`; older responses spell it `request.ip` and the client normalises that. */
  request_ip?: { in?: string[]; not_in?: string[] };
}

export type CfTokenStatus = 'active' | 'disabled' | 'expired' | 'revoked (exposed)';

export interface CfToken {
  id: string;
  name: string;
  status: CfTokenStatus;
  policies: CfPolicy[];
  condition?: CfCondition;
  expires_on?: string;
  not_before?: string;
  issued_on?: string;
  modified_on?: string;
  last_used_on?: string;
}

/** Create/PUT body of a token. PUT is a full replacement (docs/cloudflare-api.md): the client always sends every field. */
export interface CfTokenBody {
  name: string;
  policies: Omit<CfPolicy, 'id'>[];
  status?: 'active' | 'disabled';
  condition?: CfCondition;
  expires_on?: string;
  not_before?: string;
}

export interface CfPermissionGroup {
  id: string;
  name: string;
  scopes: string[];
  category?: string;
}

export interface CfTokenVerification {
  id: string;
  status: CfTokenStatus;
  expires_on?: string;
  not_before?: string;
}

/**
 * The outcome of a create. A create is never blindly retried: after an ambiguous failure the client looks the
 * resource up by name; `recovered: true` means it was found that way (the first POST did land).
 */
export interface CreateOutcome<T> {
  resource: T;
  recovered: boolean;
}

/** A token create also returns its value — except when recovered by name, where the value is lost (roll it). */
export interface TokenCreateOutcome extends CreateOutcome<CfToken> {
  value: Secret | undefined;
}

export interface CloudflareApi {
  listPeers(account: string, signal?: AbortSignal): Promise<CfPeer[]>;
  /** POST accepts only `{name}` (docs/cloudflare-api.md); the caller records the id, then calls `updatePeer` with the full body. */
  createPeer(account: string, name: string, signal?: AbortSignal): Promise<CreateOutcome<CfPeer>>;
  updatePeer(account: string, id: string, body: CfPeerBody, signal?: AbortSignal): Promise<CfPeer>;
  deletePeer(account: string, id: string, signal?: AbortSignal): Promise<void>;

  listTsigs(account: string, signal?: AbortSignal): Promise<CfTsig[]>;
  createTsig(account: string, body: CfTsigBody, signal?: AbortSignal): Promise<CreateOutcome<CfTsig>>;
  updateTsig(account: string, id: string, body: CfTsigBody, signal?: AbortSignal): Promise<CfTsig>;
  deleteTsig(account: string, id: string, signal?: AbortSignal): Promise<void>;

  /** Not paginated (docs/cloudflare-api.md "Zone transfers"). */
  listAcls(account: string, signal?: AbortSignal): Promise<CfAcl[]>;
  createAcl(account: string, body: CfAclBody, signal?: AbortSignal): Promise<CreateOutcome<CfAcl>>;
  updateAcl(account: string, id: string, body: CfAclBody, signal?: AbortSignal): Promise<CfAcl>;
  deleteAcl(account: string, id: string, signal?: AbortSignal): Promise<void>;

  /** The zone's details, or undefined when it cannot be read (404, or the credential may not read zones: 403). */
  getZone(zone: string, signal?: AbortSignal): Promise<CfZone | undefined>;
  /** The zone's configuration in one direction, or undefined when it has none (404). */
  getZoneTransfer(zone: string, dir: TransferDirection, signal?: AbortSignal): Promise<CfZoneTransfer | undefined>;
  createZoneTransfer(
    zone: string,
    dir: TransferDirection,
    body: CfZoneTransferBody,
    signal?: AbortSignal,
  ): Promise<CreateOutcome<CfZoneTransfer>>;
  updateZoneTransfer(
    zone: string,
    dir: TransferDirection,
    body: CfZoneTransferBody,
    signal?: AbortSignal,
  ): Promise<CfZoneTransfer>;
  deleteZoneTransfer(zone: string, dir: TransferDirection, signal?: AbortSignal): Promise<void>;
  /** `POST …/outgoing/enable` or `…/disable`; the result text ("Enabled", "Disabled"). */
  setOutgoingEnabled(zone: string, enabled: boolean, signal?: AbortSignal): Promise<string>;
  outgoingStatus(zone: string, signal?: AbortSignal): Promise<string | null>;
  /** `POST …/force_axfr` (incoming) or `…/outgoing/force_notify`; the result text. */
  forceTransfer(zone: string, dir: TransferDirection, signal?: AbortSignal): Promise<string>;

  /** Walks every page (per_page 50). */
  listTokens(account: string, signal?: AbortSignal): Promise<CfToken[]>;
  getToken(account: string, id: string, signal?: AbortSignal): Promise<CfToken>;
  createToken(account: string, body: CfTokenBody, signal?: AbortSignal): Promise<TokenCreateOutcome>;
  updateToken(account: string, id: string, body: CfTokenBody, signal?: AbortSignal): Promise<CfToken>;
  deleteToken(account: string, id: string, signal?: AbortSignal): Promise<void>;
  /** PUT …/tokens/{id}/value with `{}`: same id and permissions, new value; the old value stops working. */
  rollToken(account: string, id: string, signal?: AbortSignal): Promise<Secret>;
  /** Verifies `value` (or the client's own credential when omitted) against the account. */
  verifyToken(account: string, value?: Secret, signal?: AbortSignal): Promise<CfTokenVerification>;

  listPermissionGroups(
    account: string,
    filter?: { name?: string; scope?: string },
    signal?: AbortSignal,
  ): Promise<CfPermissionGroup[]>;
}
