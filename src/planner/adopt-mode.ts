/**
 * What adopting (or importing) an existing live token does with its value: `roll` delivers a new value to the sink
 * (the old one stops working), `keep` leaves the value wherever it is used today (recorded `external`). The
 * resource's `cfgitops.dev/on-adopt` annotation wins over the Config's `tokens.onAdopt`, so `cfgitops export` can
 * mark the tokens it writes without changing what adoption means for hand-written manifests.
 */
import type { ResolvedConfig } from '../config/types.js';
import { ANNOTATION_ON_ADOPT } from '../resources.js';

export interface AdoptMode {
  mode: 'roll' | 'keep';
  /** Where the mode came from, as shown in plan reasons. */
  setting: typeof ANNOTATION_ON_ADOPT | 'tokens.onAdopt';
}

export function tokenAdoptMode(annotations: Readonly<Record<string, string>>, config: ResolvedConfig): AdoptMode {
  const annotated = annotations[ANNOTATION_ON_ADOPT];
  if (annotated === 'keep' || annotated === 'roll') return { mode: annotated, setting: ANNOTATION_ON_ADOPT };
  return { mode: config.tokens.onAdopt, setting: 'tokens.onAdopt' };
}
