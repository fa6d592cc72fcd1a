/** Schema parts both directions of a zone transfer link share. */
import { HEX32_PATTERN } from '../../manifest/schemas/common-schemas.js';

/** Cloudflare's limit (docs/cloudflare-api.md "Zone transfers"). */
export const MAX_PEERS_PER_ZONE = 30;

export const zoneRefSchema = {
  type: 'string',
  minLength: 1,
  maxLength: 253,
  description: "The zone: its alias in the Config's spec.zones (e.g. example.com), or its 32-hex zone id.",
} as const;

export const zoneNameSchema = {
  type: 'string',
  minLength: 1,
  maxLength: 253,
  description:
    "The zone name Cloudflare stores with the configuration (e.g. example.com.). Default: the zone's alias; " +
    'required when the zone is given by id.',
} as const;

export const peersSchema = {
  type: 'array',
  minItems: 1,
  maxItems: MAX_PEERS_PER_ZONE,
  uniqueItems: true,
  description: `Peers, each the metadata.name of a SecondaryDnsPeer in the same account or the 32-hex id of one cfgitops does not manage (at most ${MAX_PEERS_PER_ZONE}, Cloudflare's limit per zone).`,
  items: { type: 'string', minLength: 1 },
} as const;

export const HEX32 = new RegExp(HEX32_PATTERN);
