/**
 * Every JSON Schema cfgitops ships, with the file each is emitted to under schemas/ (written by
 * test/unit/manifest/schema-files.test.ts with CFGITOPS_WRITE_SCHEMAS=1, which otherwise fails when they drift).
 */
import { configDocumentSchema } from './config-schema.js';
import { peerDocumentSchema } from './peer-schema.js';
import { tokenDocumentSchema } from './token-schema.js';
import { tsigDocumentSchema } from './tsig-schema.js';

export const MANIFEST_KINDS = ['SecondaryDnsTsig', 'SecondaryDnsPeer', 'AccountToken', 'Config'] as const;
export type ManifestKind = (typeof MANIFEST_KINDS)[number];

export const DOCUMENT_SCHEMAS: Readonly<Record<ManifestKind, { file: string; schema: Record<string, unknown> }>> = {
  SecondaryDnsTsig: { file: 'secondary-dns-tsig.schema.json', schema: tsigDocumentSchema },
  SecondaryDnsPeer: { file: 'secondary-dns-peer.schema.json', schema: peerDocumentSchema },
  AccountToken: { file: 'account-token.schema.json', schema: tokenDocumentSchema },
  Config: { file: 'config.schema.json', schema: configDocumentSchema },
};
