import { BlockList, isIP } from 'node:net';

/**
 * Where Relay may deliver webhooks. Deliveries carry business data and are sent from inside
 * Relay's network, so an endpoint URL is checked when it is registered:
 * - `https` only; plain `http` is allowed outside production, and then only to loopback and
 *   private-network hosts (a receiver on the developer's machine or a compose network);
 * - in production, no loopback, private, link-local or unspecified address written as an IP
 *   literal, and no `localhost`, so a caller cannot point Relay at its own network;
 * - no credentials in the URL (fetch refuses them) and no fragment.
 * Host names are not resolved here: a name that resolves to a private address is stopped
 * by the network (egress rules), not by this check.
 */
const INTERNAL = new BlockList();
for (const [net, prefix] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.168.0.0', 16],
] as const) {
  INTERNAL.addSubnet(net, prefix, 'ipv4');
}
for (const [net, prefix] of [
  ['::', 128],
  ['::1', 128],
  ['fc00::', 7],
  ['fe80::', 10],
] as const) {
  INTERNAL.addSubnet(net, prefix, 'ipv6');
}

/** Loopback or private: an IP literal in an internal range, or a `localhost` name. */
export function isInternalHost(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, '').replace(/\.$/, '').toLowerCase();
  if (host === 'localhost' || host.endsWith('.localhost')) return true;
  const family = isIP(host);
  if (family === 0) return false;
  return INTERNAL.check(host, family === 4 ? 'ipv4' : 'ipv6');
}

/** Why `raw` cannot be a webhook endpoint, or undefined when it can. */
export function webhookUrlProblem(raw: string, options: { allowInternal: boolean }): string | undefined {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return 'must be an absolute URL';
  }
  if (url.username || url.password) return 'must not contain credentials';
  if (url.hash) return 'must not contain a fragment';
  const internal = isInternalHost(url.hostname);
  if (url.protocol === 'https:') {
    return internal && !options.allowInternal ? 'must not point at a loopback or private-network host' : undefined;
  }
  if (url.protocol === 'http:') {
    if (!options.allowInternal) return 'must use https';
    return internal ? undefined : 'must use https (plain http is allowed only to loopback and private-network hosts outside production)';
  }
  return 'must use https';
}
