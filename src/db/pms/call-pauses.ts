import type { PrismaClient } from '../../generated/prisma/client';

/**
 * Pauses of a vendor's calls (`pms_call_pauses`): a vendor that refuses every call for a while
 * (Clock's firewall bans an address for two hours, and each call during the ban extends it) is
 * waited out by every worker. The limiter (rate-limit.ts) reads them before each call; operators
 * see a vendor-wide pause in `GET /v1/pms/vendors` and may lift it.
 */

/** The key under which a pause of every scope of a vendor is kept. */
export const vendorPauseKey = (vendor: string) => `${vendor}:*`;

/** Stops every call at `key` for `ms` (a longer pause already there stays); returns its end. */
export async function pausePmsCalls(prisma: PrismaClient, key: string, ms: number, reason: string): Promise<Date> {
  const [row] = await prisma.$queryRaw<Array<{ until: Date }>>`SELECT relay_pause_pms_calls(${key}, ${ms}::float8, ${reason.slice(0, 300)}) AS until`;
  return row!.until;
}

export interface VendorPause {
  until: Date;
  reason: string;
}

/** Vendor-wide pauses still running, by vendor key. */
export async function runningVendorPauses(prisma: PrismaClient): Promise<Map<string, VendorPause>> {
  const rows = await prisma.pmsCallPause.findMany({ where: { key: { endsWith: ':*' }, pausedUntil: { gt: new Date() } } });
  return new Map(rows.map((r) => [r.key.slice(0, -2), { until: r.pausedUntil, reason: r.reason }]));
}

/** Ends a vendor-wide pause now (an operator knows the vendor lifted its ban); false when none ran. */
export async function liftVendorPause(prisma: PrismaClient, vendor: string): Promise<boolean> {
  const { count } = await prisma.pmsCallPause.deleteMany({ where: { key: vendorPauseKey(vendor), pausedUntil: { gt: new Date() } } });
  return count > 0;
}
