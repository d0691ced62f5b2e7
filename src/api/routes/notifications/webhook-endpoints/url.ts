import { isIP } from 'node:net';
import { internalAddressKind, isMetadataAddress } from '../../../../integrations/http';

/**
 * Where Relay may deliver webhooks. Deliveries carry business data and are sent from inside
 * Relay's network, so an endpoint URL is checked when it is registered:
 * - `https` only; plain `http` is allowed outside production, and then only to loopback and
 *   private-network hosts (a receiver on the developer's machine or a compose network);
 * - in production, no loopback, private, link-local, unique-local, reserved, IPv4-mapped or
 *   NAT64-of-internal address written as an IP literal, and no `localhost`, so a caller cannot
 *   point Relay at its own network; a cloud metadata service in no environment;
 * - no credentials in the URL (fetch refuses them) and no fragment.
 * Host names are not resolved here: every delivery resolves the name when it connects and, in
 * production, refuses an internal address then (`guardedAgent`), whatever DNS said before.
 */

/** Loopback or private: an IP literal of an internal address, or a `localhost` name. */
export function isInternalHost(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, '').replace(/\.$/, '').toLowerCase();
  if (host === 'localhost' || host.endsWith('.localhost')) return true;
  return isIP(host) !== 0 && internalAddressKind(host) !== undefined;
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
  // In production the rule below refuses it with every other internal address.
  if (options.allowInternal && isMetadataAddress(url.hostname)) return 'must not point at a cloud metadata service';
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
