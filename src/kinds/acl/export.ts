/** `cfgitops export` of an ACL: as Cloudflare holds it. */
import type { ExportKind } from '../../workflow/export-kinds.js';

export const aclExport: ExportKind<'SecondaryDnsAcl'> = {
  kind: 'SecondaryDnsAcl',
  file: 'acls',
  noun: 'ACL',
  fallbackName: 'acl',
  list: (live) => live.acls,
  skip: () => undefined,
  spec: (live) => ({ spec: { name: live.name, ip_range: live.ip_range } }),
};
