import { type GuestToCache, upsertGuests } from '../../db/pms/cache';
import { normaliseGuestPhone } from '../../domain/pms/guest-phone';
import { type PhoneRegion, isPhoneRegion } from '../../domain/phone-numbers';
import type { PmsGuest, PmsProperty, PrismaClient } from '../../generated/prisma/client';
import type { PmsGuest as Guest } from '../../integrations/pms/model';

/** The region of a property's national phone numbers (validated when the property was saved). */
export const regionOf = (property: Pick<PmsProperty, 'country'>): PhoneRegion => {
  const region = property.country.toUpperCase();
  if (!isPhoneRegion(region)) throw new TypeError(`property country ${property.country} has no phone numbering plan`);
  return region;
};

/** Guests as the PMS showed them, their phones read with the hotel's country, into the cache. */
export async function cacheGuests(db: Pick<PrismaClient, '$executeRaw' | '$queryRaw'>, property: Pick<PmsProperty, 'id' | 'country'>, guests: readonly Guest[], syncedAt: Date): Promise<void> {
  const region = regionOf(property);
  const rows: GuestToCache[] = guests.map((guest) => ({ guest, phone: normaliseGuestPhone(guest, region) }));
  await upsertGuests(db, property.id, rows, syncedAt);
}

/** Cached guests still fresh (their profile need not be read again for this poll). */
export async function freshGuestIds(prisma: PrismaClient, propertyId: string, vendorIds: readonly string[], ttlMs: number): Promise<Set<string>> {
  if (vendorIds.length === 0) return new Set();
  const rows: Array<Pick<PmsGuest, 'vendorId'>> = await prisma.pmsGuest.findMany({
    where: { propertyId, vendorId: { in: [...vendorIds] }, syncedAt: { gte: new Date(Date.now() - ttlMs) } },
    select: { vendorId: true },
  });
  return new Set(rows.map((r) => r.vendorId));
}
