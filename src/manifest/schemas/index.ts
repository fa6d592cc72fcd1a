/**
 * Every JSON Schema cfgitops ships, with the file each is emitted to under schemas/ (written by
 * test/unit/manifest/schema-files.test.ts with CFGITOPS_WRITE_SCHEMAS=1, which otherwise fails when they drift):
 * one per registered resource kind (its `document`), and the Config.
 */
import { KINDS, type ResourceKind } from '../../kinds/registry.js';
import { configDocumentSchema } from './config-schema.js';

export type ManifestKind = ResourceKind | 'Config';
export const MANIFEST_KINDS: readonly ManifestKind[] = [...KINDS.map((k) => k.kind), 'Config'];

export const DOCUMENT_SCHEMAS: Readonly<Record<ManifestKind, { file: string; schema: Record<string, unknown> }>> = {
  ...(Object.fromEntries(KINDS.map((k) => [k.kind, k.document])) as Record<
    ResourceKind,
    { file: string; schema: Record<string, unknown> }
  >),
  Config: { file: 'config.schema.json', schema: configDocumentSchema },
};
