import { replaceRooms, upsertReservations } from '../../db/pms/cache';
import type { PmsFetchRequest, PmsFetchResult } from '../../domain/pms/fetch';
import type { PmsActivityDeps } from './deps';
import { cacheGuests } from './guests';
import { orNull } from './not-found';

/**
 * The read path's fetches: one PMS read, its answer upserted into the cache. Only ids and
 * counts go back through the workflow; the API reads the cache afterwards.
 */

export function createFetchActivities(deps: PmsActivityDeps) {
  return {
    async pmsFetch(request: PmsFetchRequest): Promise<PmsFetchResult> {
      const { adapter, property } = await deps.runtime.adapterFor(request.propertyId);
      const syncedAt = new Date();
      switch (request.kind) {
        case 'guest': {
          const guest = await orNull(adapter.getGuest(request.vendorId));
          if (guest) await cacheGuests(deps.prisma, property, [guest], syncedAt);
          return { vendorIds: guest ? [guest.vendorId] : [] };
        }
        case 'reservation': {
          const reservation = await orNull(adapter.getReservation(request.vendorId));
          if (reservation) await upsertReservations(deps.prisma, property.id, [reservation], syncedAt);
          return { vendorIds: reservation ? [reservation.vendorId] : [] };
        }
        case 'search': {
          const found = await adapter.searchReservations(request.query);
          await upsertReservations(deps.prisma, property.id, found, syncedAt);
          return { vendorIds: found.map((r) => r.vendorId) };
        }
        case 'rooms': {
          const rooms = await adapter.listRooms();
          await replaceRooms(deps.prisma, property.id, rooms, syncedAt);
          return { vendorIds: rooms.map((r) => r.vendorId) };
        }
      }
    },
  };
}

export type PmsFetchActivities = ReturnType<typeof createFetchActivities>;
