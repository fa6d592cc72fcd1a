/**
 * "Is this address this machine?" — one answer for every place that allows plain http or binds a test server:
 * the Cloudflare client's base URL, the GitHub API URLs, and the emulator's bind and peer checks.
 */
import { isIP } from 'node:net';

/** A host name or address (URL hostname, `[::1]`, socket remote address, `::ffff:127.0.0.1`) on loopback. */
export function isLoopbackHost(hostname: string): boolean {
  let host = hostname.startsWith('[') && hostname.endsWith(']') ? hostname.slice(1, -1) : hostname;
  host = host.toLowerCase();
  if (host.startsWith('::ffff:') && isIP(host.slice(7)) === 4) host = host.slice(7);
  if (host === 'localhost') return true;
  if (isIP(host) === 4) return host.startsWith('127.');
  if (isIP(host) === 6) return host === '::1' || host === '0:0:0:0:0:0:0:1';
  return false;
}
