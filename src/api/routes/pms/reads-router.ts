import { type Response, Router } from 'express';
import { findCachedGuest, findCachedReservation, listCachedRooms, searchCachedReservations } from '../../../db/pms/cache';
import { requireProperty } from '../../../db/pms/properties';
import type { PmsProperty } from '../../../generated/prisma/client';
import { fetchFromPms } from '../../../temporal/starters/pms-fetch';
import { requireRole } from '../../auth';
import { validated } from '../../validate';
import type { PmsRouteDeps } from './deps';
import { problemError } from './problems';
import { readThrough } from './read-through';
import { GuestParams, PropertyParams, ReservationParams, SearchReservationsQuery } from './schemas';
import { scopeOf } from './scope';
import { guestView, reservationView, roomView } from './views';

/** Guests, reservations and rooms of a property through the read-through cache. */
export function readsRouter(deps: PmsRouteDeps): Router {
  const router = Router();
  const { prisma, settings } = deps;
  const ttl = settings.cacheTtlMs;
  const wait = settings.readTimeoutMs;
  const property = (id: string, res: Response) => requireProperty(prisma, id, scopeOf(deps.keys, res));
  /** What the PMS is asked by: the vendor's id of a record the caller may name by Relay's id. */
  const vendorIdOf = async (find: () => Promise<{ vendorId: string } | null>, ref: string) => (await find())?.vendorId ?? ref;

  router.get(
    '/v1/properties/:id/guests/:guestId',
    requireRole('service'),
    validated({ params: GuestParams }, async ({ params }, _req, res) => {
      const p = await property(params.id, res);
      const find = () => findCachedGuest(prisma, p.id, params.guestId);
      const vendorId = await vendorIdOf(find, params.guestId);
      const answer = await readThrough({
        cached: async () => withSyncedAt(await find()),
        ttlMs: ttl.guests,
        fetch: () => fetchFromPms(deps.starter, { kind: 'guest', propertyId: p.id, vendorId }, wait),
        notFound: `No guest ${params.guestId} at ${p.name} (${p.vendor})`,
        expectsRecord: true,
      });
      const { value, ...freshness } = answer;
      res.json({ guest: guestView(value), ...freshness });
    }),
  );

  router.get(
    '/v1/properties/:id/reservations/:reservationId',
    requireRole('service'),
    validated({ params: ReservationParams }, async ({ params }, _req, res) => {
      const p = await property(params.id, res);
      const find = () => findCachedReservation(prisma, p.id, params.reservationId);
      const vendorId = await vendorIdOf(find, params.reservationId);
      const { value, ...freshness } = await readThrough({
        cached: async () => withSyncedAt(await find()),
        ttlMs: ttl.reservations,
        fetch: () => fetchFromPms(deps.starter, { kind: 'reservation', propertyId: p.id, vendorId }, wait),
        notFound: `No reservation ${params.reservationId} at ${p.name} (${p.vendor})`,
        expectsRecord: true,
      });
      res.json({ reservation: reservationView(value), ...freshness });
    }),
  );

  router.get(
    '/v1/properties/:id/reservations',
    requireRole('service'),
    validated({ params: PropertyParams, query: SearchReservationsQuery }, async ({ params, query }, _req, res) => {
      const p = await property(params.id, res);
      const local = () => searchCachedReservations(prisma, p.id, query);
      const oldest = (rows: Array<{ syncedAt: Date }>) => new Date(Math.min(...rows.map((r) => r.syncedAt.getTime())));
      // A confirmation number names one reservation: a fresh cached copy answers it. Other
      // searches may match reservations the cache has never seen, so they ask the PMS.
      if (query.confirmationNumber) {
        const rows = await local();
        if (rows.length && Date.now() - oldest(rows).getTime() < ttl.reservations) return void res.json({ items: rows.map(reservationView), stale: false, syncedAt: oldest(rows).toISOString() });
      }
      const outcome = await fetchFromPms(deps.starter, { kind: 'search', propertyId: p.id, query }, wait);
      if (outcome.ok) {
        const found = new Set(outcome.value.vendorIds);
        const rows = (await local()).filter((r) => found.has(r.vendorId));
        return void res.json({ items: rows.map(reservationView), stale: false, syncedAt: new Date().toISOString() });
      }
      const rows = await local();
      if (!rows.length) throw problemError(outcome.problem, `${outcome.message}; no cached reservation matches`);
      res.json({ items: rows.map(reservationView), stale: true, syncedAt: oldest(rows).toISOString(), staleReason: outcome.message });
    }),
  );

  router.get(
    '/v1/properties/:id/rooms',
    requireRole('service'),
    validated({ params: PropertyParams }, async ({ params }, _req, res) => {
      const p = await property(params.id, res);
      const { value, ...freshness } = await readThrough({
        cached: async () => roomsOf(p, await prisma.pmsProperty.findUniqueOrThrow({ where: { id: p.id }, select: { roomsSyncedAt: true } })),
        ttlMs: ttl.rooms,
        fetch: () => fetchFromPms(deps.starter, { kind: 'rooms', propertyId: p.id }, wait),
        notFound: `${p.name} has no rooms at ${p.vendor}`,
        expectsRecord: false,
      });
      res.json({ items: value.map(roomView), ...freshness });
    }),
  );

  /** The room list is cached as a whole: its age is the last time the whole list was read. */
  async function roomsOf(p: PmsProperty, marks: { roomsSyncedAt: Date | null }) {
    if (!marks.roomsSyncedAt) return undefined;
    return { value: await listCachedRooms(prisma, p.id), syncedAt: marks.roomsSyncedAt };
  }

  return router;
}

const withSyncedAt = <T extends { syncedAt: Date }>(row: T | null) => (row ? { value: row, syncedAt: row.syncedAt } : undefined);
