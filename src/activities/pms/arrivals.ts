import { ApplicationFailure } from '@temporalio/common';
import { type ArrivalState, type EmittedEvent, announcedAmong, applyArrivalStates, vanishedArrivals } from '../../db/pms/arrivals';
import { replaceRooms, reservationModel, upsertReservations } from '../../db/pms/cache';
import { recordPoll, recordPush } from '../../db/pms/properties';
import { arrivalStateHash } from './arrival-hash';
import { arrivalWindow, isWithin } from '../../domain/pms/local-days';
import type { PmsProperty } from '../../generated/prisma/client';
import type { PmsAdapter } from '../../integrations/pms/adapter';
import type { PmsGuest, PmsReservation } from '../../integrations/pms/model';
import type { PmsActivityDeps } from './deps';
import { cacheGuests, freshGuestIds } from './guests';
import { orNull } from './not-found';

/**
 * The arrivals sync: today's and tomorrow's arrivals at the hotel (its time zone) compared with
 * what was last announced, in one statement, emitting `arrival.new/changed/cancelled` under
 * their deterministic keys. A push (webhook) or an operator's refresh runs the same comparison
 * for the reservations it names, so whoever sees a change first announces it, once.
 */

export interface PollSummary {
  listed: number;
  /** Announced arrivals the listing no longer showed (looked up one by one). */
  vanished: number;
  events: number;
}

export interface RefreshInput {
  propertyId: string;
  reservationVendorIds?: string[];
  guestVendorIds?: string[];
  /** Also poll today's and tomorrow's arrivals, and read the room list. */
  arrivals?: boolean;
  rooms?: boolean;
  /** push: a vendor's webhook (counts as a push for freshness); refresh: an operator's request. */
  source: 'push' | 'refresh';
}

export interface RefreshSummary {
  reservations: number;
  guests: number;
  rooms: number;
  events: number;
  poll?: PollSummary;
}

const toStates = (reservations: readonly PmsReservation[]): ArrivalState[] => reservations.map((reservation) => ({ reservation, stateHash: arrivalStateHash(reservation) }));

export function createArrivalActivities(deps: PmsActivityDeps) {
  const { prisma } = deps;

  /** Guests the listing did not carry along and the cache has no fresh copy of. */
  async function missingGuests(adapter: PmsAdapter, property: PmsProperty, reservations: readonly PmsReservation[], carried: readonly PmsGuest[]): Promise<PmsGuest[]> {
    const have = new Set(carried.map((g) => g.vendorId));
    const wanted = [...new Set(reservations.flatMap((r) => (r.guestVendorId && !have.has(r.guestVendorId) ? [r.guestVendorId] : [])))];
    const fresh = await freshGuestIds(prisma, property.id, wanted, deps.settings.cacheTtlMs.guests);
    const fetched: PmsGuest[] = [];
    for (const id of wanted.filter((g) => !fresh.has(g))) {
      const guest = await orNull(adapter.getGuest(id));
      if (guest) fetched.push(guest);
    }
    return fetched;
  }

  async function poll(adapter: PmsAdapter, property: PmsProperty, syncedAt: Date): Promise<{ summary: PollSummary; events: EmittedEvent[] }> {
    const range = arrivalWindow(property.timezone, syncedAt);
    const arrivals = await adapter.listArrivals(range);
    const reservations = arrivals.map((a) => a.reservation);
    const carried = arrivals.flatMap((a) => (a.guest ? [a.guest] : []));
    const guests = [...carried, ...(await missingGuests(adapter, property, reservations, carried))];
    await cacheGuests(prisma, property, guests, syncedAt);

    const vanishedIds = await vanishedArrivals(prisma, property.id, range, reservations.map((r) => r.vendorId));
    const vanished: PmsReservation[] = [];
    for (const vendorId of vanishedIds) {
      const now = await orNull(adapter.getReservation(vendorId));
      if (now) vanished.push(now);
      else {
        // Gone from the PMS altogether: its guest will not arrive.
        const cached = await prisma.pmsReservation.findUniqueOrThrow({ where: { propertyId_vendorId: { propertyId: property.id, vendorId } } });
        vanished.push({ ...reservationModel(cached), status: 'cancelled' });
      }
    }
    const events = await applyArrivalStates(prisma, property, toStates([...reservations, ...vanished]), syncedAt);
    return { summary: { listed: reservations.length, vanished: vanished.length, events: events.length }, events };
  }

  return {
    /** One poll of a property's arrivals (its schedule's run); freshness recorded either way. */
    async pmsPollArrivals(input: { propertyId: string }): Promise<PollSummary> {
      try {
        // Inside: a property Relay cannot use (its vendor not configured here) shows why on its freshness.
        const { adapter, property } = await deps.runtime.adapterFor(input.propertyId);
        const { summary } = await poll(adapter, property, new Date());
        await recordPoll(prisma, property.id, { ok: true });
        return summary;
      } catch (err) {
        await recordPoll(prisma, input.propertyId, { ok: false, error: err instanceof Error ? err.message : String(err) }).catch(() => undefined);
        throw err;
      }
    },

    /** Reads what a push or an operator names (and, asked to, the whole arrivals window and rooms) into the cache. */
    async pmsRefresh(input: RefreshInput): Promise<RefreshSummary> {
      const { adapter, property } = await deps.runtime.adapterFor(input.propertyId);
      const syncedAt = new Date();
      const summary: RefreshSummary = { reservations: 0, guests: 0, rooms: 0, events: 0 };

      const reservations: PmsReservation[] = [];
      for (const id of new Set(input.reservationVendorIds ?? [])) {
        const reservation = await orNull(adapter.getReservation(id));
        if (reservation) reservations.push(reservation);
      }
      const guestIds = new Set([...(input.guestVendorIds ?? []), ...reservations.flatMap((r) => (r.guestVendorId ? [r.guestVendorId] : []))]);
      const guests: PmsGuest[] = [];
      for (const id of guestIds) {
        const guest = await orNull(adapter.getGuest(id));
        if (guest) guests.push(guest);
      }
      await cacheGuests(prisma, property, guests, syncedAt);

      // Arrivals in the window, and any announced before (one moved away is a change), go through the diff.
      const window = arrivalWindow(property.timezone, syncedAt);
      const announced = await announcedAmong(prisma, property.id, reservations.map((r) => r.vendorId));
      const diffed = reservations.filter((r) => isWithin(r.arrivalDate, window) || announced.has(r.vendorId));
      const others = reservations.filter((r) => !diffed.includes(r));
      await upsertReservations(prisma, property.id, others, syncedAt);
      summary.events = (await applyArrivalStates(prisma, property, toStates(diffed), syncedAt)).length;
      summary.reservations = reservations.length;
      summary.guests = guests.length;

      if (input.arrivals) {
        summary.poll = (await poll(adapter, property, syncedAt)).summary;
        summary.events += summary.poll.events;
        await recordPoll(prisma, property.id, { ok: true });
      }
      if (input.rooms) {
        const rooms = await adapter.listRooms().catch((err: unknown) => {
          // A vendor without room status still refreshes everything else.
          if (err instanceof ApplicationFailure && err.nonRetryable) return undefined;
          throw err;
        });
        if (rooms) {
          await replaceRooms(prisma, property.id, rooms, syncedAt);
          summary.rooms = rooms.length;
        }
      }
      if (input.source === 'push') await recordPush(prisma, property.id);
      return summary;
    },
  };
}

export type PmsArrivalActivities = ReturnType<typeof createArrivalActivities>;
