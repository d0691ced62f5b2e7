import { type LookupAddress, type LookupOptions, promises as dns } from 'node:dns';
import { isIP, type LookupFunction } from 'node:net';
import ipaddr from 'ipaddr.js';
import { Agent, buildConnector } from 'undici';

/**
 * Outbound connections to addresses someone else chose (a webhook receiver's URL): the host
 * name is resolved when the connection is opened, and every address it resolves to is
 * checked before a byte is sent, so a name that points at Relay's own network (today, or
 * after a DNS change since it was registered) is refused. IP literals are checked the same way.
 */

/** Where an address was refused: the connection never opened. */
export const ADDRESS_REFUSED = 'ERR_RELAY_ADDRESS_REFUSED' as const;

export interface AddressRefusedError extends Error {
  code: typeof ADDRESS_REFUSED;
  host: string;
  ip: string;
  reason: string;
}

/**
 * The refusal, as a plain `Error` with a `code` (fetch keeps a connection error as the cause
 * only when it looks like one of its own kind, which a subclass from another realm does not).
 */
export function addressRefused(host: string, ip: string, reason: string): AddressRefusedError {
  const message = host === ip ? `refused to connect to ${ip}, ${reason}` : `refused to connect to ${host}: it resolves to ${ip}, ${reason}`;
  return Object.assign(new Error(message), { code: ADDRESS_REFUSED, host, ip, reason });
}

/** Cloud metadata and platform services (AWS, GCP, Azure, Alibaba, ECS/EKS): never a receiver, in any environment. */
const METADATA = new Set(
  ['169.254.169.254', '169.254.170.2', '169.254.170.23', '100.100.100.200', '168.63.129.16', 'fd00:ec2::254', 'fd00:ec2::23'].map((a) =>
    ipaddr.parse(a).toNormalizedString(),
  ),
);

const NAT64_WELL_KNOWN: [ipaddr.IPv6, number] = [ipaddr.IPv6.parse('64:ff9b::'), 96];

const KIND: Record<string, string> = {
  loopback: 'a loopback address',
  private: 'a private-network address',
  linkLocal: 'a link-local address',
  uniqueLocal: 'a unique-local address',
  carrierGradeNat: 'a shared (carrier-grade NAT) address',
  unspecified: 'an unspecified address',
  broadcast: 'a broadcast address',
  multicast: 'a multicast address',
  reserved: 'a reserved address',
  ipv4Mapped: 'an IPv4-mapped IPv6 address',
  rfc6145: 'an IPv4-translated IPv6 address',
  rfc6052: 'a local-use NAT64 address',
  '6to4': 'a 6to4 address',
  teredo: 'a Teredo address',
  deprecatedSiteLocal: 'a site-local address',
};

/** The IPv4 address embedded in an IPv6 one that carries one (IPv4-mapped or -translated, NAT64), else undefined. */
function embeddedIPv4(v6: ipaddr.IPv6): ipaddr.IPv4 | undefined {
  const range = v6.range();
  if (range !== 'ipv4Mapped' && range !== 'rfc6145' && !v6.match(NAT64_WELL_KNOWN)) return undefined;
  const [hi, lo] = [v6.parts[6]!, v6.parts[7]!];
  return new ipaddr.IPv4([hi >> 8, hi & 0xff, lo >> 8, lo & 0xff]);
}

function parse(ip: string): ipaddr.IPv4 | ipaddr.IPv6 | undefined {
  try {
    return ipaddr.parse(ip.replace(/^\[|\]$/g, ''));
  } catch {
    return undefined;
  }
}

/** Whether `ip` is a cloud metadata service, also written as an IPv4-mapped or NAT64 IPv6 address. */
export function isMetadataAddress(ip: string): boolean {
  const addr = parse(ip);
  if (!addr) return false;
  const v4 = addr.kind() === 'ipv6' ? embeddedIPv4(addr as ipaddr.IPv6) : undefined;
  return METADATA.has(addr.toNormalizedString()) || (v4 !== undefined && METADATA.has(v4.toNormalizedString()));
}

/**
 * What `ip` is when it is not a public unicast address: loopback, private, link-local,
 * unique-local, shared, reserved, multicast, an IPv4-mapped IPv6 address, a NAT64 address of
 * an internal IPv4 address (64:ff9b::/96; one of a public address is as public as it), a
 * cloud metadata service. Undefined for a public address.
 */
export function internalAddressKind(ip: string): string | undefined {
  const addr = parse(ip);
  if (!addr) return 'not an IP address';
  if (isMetadataAddress(ip)) return 'a cloud metadata service';
  if (addr.kind() === 'ipv6') {
    const v6 = addr as ipaddr.IPv6;
    if (v6.match(NAT64_WELL_KNOWN)) {
      const v4 = embeddedIPv4(v6)!;
      const inner = internalAddressKind(v4.toString());
      return inner && `a NAT64 address of ${v4.toString()} (${inner})`;
    }
  }
  const range = addr.range();
  if (range === 'unicast') return undefined;
  return KIND[range] ?? `a reserved address (${range})`;
}

export interface EgressPolicy {
  /**
   * Outside production: loopback, private and other internal addresses are allowed (a
   * receiver on the developer's machine or a compose network); metadata services never are.
   */
  allowInternal: boolean;
}

/** Why a connection to `ip` is refused under `policy`, or undefined when it may open. */
export function refusedAddressReason(ip: string, policy: EgressPolicy): string | undefined {
  if (isMetadataAddress(ip)) return 'a cloud metadata service';
  if (policy.allowInternal) return parse(ip) ? undefined : 'not an IP address';
  return internalAddressKind(ip);
}

/** Resolves a host name to all its addresses (`dns.lookup`, as Node's own connections do); replaceable in tests. */
export type Resolver = (hostname: string, options: LookupOptions) => Promise<LookupAddress[]>;

const systemResolver: Resolver = (hostname, options) => dns.lookup(hostname, { family: options.family, hints: options.hints, all: true });

/**
 * A `lookup` for `net.connect`/`tls.connect`: resolves, refuses the host if any of its
 * addresses is refused (a name resolving to both a public and an internal address is not
 * trusted), and hands the checked addresses to the socket, which connects to one of them.
 */
export function checkedLookup(policy: EgressPolicy, resolve: Resolver = systemResolver): LookupFunction {
  return (hostname, options, callback) => {
    const answer = (async () => {
      const addresses = await resolve(hostname, options);
      if (addresses.length === 0) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND', hostname });
      for (const { address } of addresses) {
        const reason = refusedAddressReason(address, policy);
        if (reason) throw addressRefused(hostname, address, reason);
      }
      return addresses;
    })();
    answer.then(
      (addresses) => (options.all ? callback(null, addresses) : callback(null, addresses[0]!.address, addresses[0]!.family)),
      (err: NodeJS.ErrnoException) => callback(err, '', 0),
    );
  };
}

/**
 * An undici dispatcher (for `fetch`'s `dispatcher`) whose every connection is checked:
 * an IP literal before connecting, a host name by {@link checkedLookup} as it is resolved.
 * A refusal fails the request with an {@link AddressRefusedError} as its cause.
 */
export function guardedAgent(policy: EgressPolicy, resolve?: Resolver): Agent {
  const connect = buildConnector({ lookup: checkedLookup(policy, resolve) });
  return new Agent({
    connect: (options, callback) => {
      if (isIP(options.hostname)) {
        const reason = refusedAddressReason(options.hostname, policy);
        if (reason) return void callback(addressRefused(options.hostname, options.hostname, reason), null);
      }
      connect(options, callback);
    },
  });
}
