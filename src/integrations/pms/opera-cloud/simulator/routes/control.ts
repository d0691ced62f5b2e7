/**
 * The `/__sim/` control protocol of simulator-control.ts, plus two OPERA extras:
 * `POST /__sim/tokens/expire` (every issued token stops working now → `{ expired }`) and
 * `GET /__sim/tokens` (`{ issued, refused }`).
 */
import express, { type Request, type Response, Router } from 'express';
import type { SimCharge, SimHotel, SimNote, SimReservationCreated } from '../../../simulator-control';
import { badRequest, churnEveryMs, ControlError, notFound, parseGuestChange, parseHotelSpec, parseReservationChange, parseReservationSpec } from '../../../simulator-kit/control';
import type { OperaSimContext } from '../context';
import type { SimHotelRecord } from '../model';

/** The transaction code the simulated hotels accept for charges that name none (a property credential in Relay). */
export const SIM_CHARGE_TRANSACTION_CODE = '2000';

export interface ControlHooks {
  /** Starts demo churn for a hotel (`SimHotelSpec.churn`). */
  startChurn(hotel: SimHotelRecord, everyMs: number): void;
  /** Forgets everything (hotels, tokens, faults, counters, churn). */
  reset(): void;
}

function fail(res: Response, status: number, message: string): void {
  res.status(status).json({ error: message });
}

/** Runs a control handler, answering a refused request (ControlError, or RangeError for faults) with its status and message. */
function handled(handler: (req: Request, res: Response) => void): (req: Request, res: Response) => void {
  return (req, res) => {
    try {
      handler(req, res);
    } catch (error) {
      if (error instanceof ControlError) return fail(res, error.status, error.message);
      if (error instanceof RangeError) return fail(res, 400, error.message);
      throw error;
    }
  };
}

function roomExists(hotel: SimHotelRecord, number: string): string {
  if (!hotel.rooms.some((r) => r.id === number)) throw badRequest(`room ${number} does not exist`);
  return number;
}

function addReservation(ctx: OperaSimContext, hotel: SimHotelRecord, body: unknown): SimReservationCreated {
  const spec = parseReservationSpec(body);
  if (spec.roomNumber !== undefined) roomExists(hotel, spec.roomNumber);
  const { guest } = spec;
  const profile = ctx.store.addProfile({
    givenName: guest.firstName ?? null,
    surname: guest.lastName,
    email: guest.email ?? null,
    phone: guest.phone ?? null,
    language: guest.language?.toUpperCase() ?? null,
    nationality: hotel.country,
    optInSms: guest.messagingConsent ?? null,
  });
  const r = ctx.store.addReservation(hotel, profile.id, spec);
  return { reservationVendorId: r.id, guestVendorId: profile.id, confirmationNumber: r.confirmation };
}

function changeReservation(ctx: OperaSimContext, hotel: SimHotelRecord, id: string, body: unknown): void {
  const r = hotel.reservations.get(id);
  if (!r) throw notFound(`reservation ${id} does not exist`);
  const change = parseReservationChange(body);
  if (change.roomNumber !== undefined && change.roomNumber !== null && !hotel.rooms.some((x) => x.id === change.roomNumber)) throw notFound(`room ${change.roomNumber} does not exist`);
  if (change.arrivalDate !== undefined) r.arrival = change.arrivalDate;
  if (change.departureDate !== undefined) r.departure = change.departureDate;
  if (change.adults !== undefined) r.adults = change.adults;
  if (change.roomNumber !== undefined) r.roomId = change.roomNumber;
  if (change.status === 'cancelled') ctx.store.setStatus(r, 'Cancelled');
  else if (change.status === 'checked_in') ctx.store.checkIn(hotel, r);
  else if (change.status === 'confirmed') ctx.store.setStatus(r, 'Reserved');
  else r.modifiedAt = ctx.store.stamp();
}

function changeGuest(ctx: OperaSimContext, id: string, body: unknown): void {
  const p = ctx.store.profiles.get(id);
  if (!p) throw notFound(`guest ${id} does not exist`);
  const change = parseGuestChange(body);
  if (change.firstName !== undefined) p.givenName = change.firstName;
  if (change.lastName !== undefined) p.surname = change.lastName;
  if (change.email !== undefined) {
    p.email = change.email;
    p.emailId ??= ctx.store.entryId();
  }
  if (change.phone !== undefined) {
    p.phone = change.phone;
    p.phoneId ??= ctx.store.entryId();
  }
  if (change.language !== undefined) p.language = change.language.toUpperCase();
  ctx.store.touchProfile(p);
}

export function controlRouter(ctx: OperaSimContext, hooks: ControlHooks): Router {
  const router = Router();
  router.use(express.json({ limit: '1mb' }));
  const hotelOf = (req: Request): SimHotelRecord => {
    const hotel = ctx.store.hotels.get(String(req.params.hotel));
    if (!hotel) throw notFound(`hotel ${String(req.params.hotel)} does not exist`);
    return hotel;
  };

  router.post(
    '/hotels',
    handled((req, res) => {
      const spec = parseHotelSpec(req.body ?? {});
      const hotel = ctx.store.addHotel(spec);
      if (churnEveryMs(spec) > 0) hooks.startChurn(hotel, churnEveryMs(spec));
      const answer: SimHotel = { vendorPropertyId: hotel.code, credentials: { chargeTransactionCode: SIM_CHARGE_TRANSACTION_CODE }, timezone: hotel.timezone };
      res.status(201).json(answer);
    }),
  );
  router.post(
    '/hotels/:hotel/reservations',
    handled((req, res) => {
      res.status(201).json(addReservation(ctx, hotelOf(req), req.body ?? {}));
    }),
  );
  router.patch(
    '/hotels/:hotel/reservations/:reservation',
    handled((req, res) => {
      changeReservation(ctx, hotelOf(req), String(req.params.reservation), req.body ?? {});
      res.status(204).end();
    }),
  );
  router.patch(
    '/hotels/:hotel/guests/:guest',
    handled((req, res) => {
      hotelOf(req);
      changeGuest(ctx, String(req.params.guest), req.body ?? {});
      res.status(204).end();
    }),
  );
  router.get(
    '/hotels/:hotel/charges',
    handled((req, res) => {
      const charges: SimCharge[] = hotelOf(req).postings.map((p) => ({
        vendorId: String(p.transactionNo),
        reservationVendorId: p.reservationId,
        reference: p.reference,
        amount: String(p.amount * p.quantity),
        currency: p.currency,
        description: p.remark ?? '',
      }));
      res.json({ charges });
    }),
  );
  router.get(
    '/hotels/:hotel/notes',
    handled((req, res) => {
      const notes: SimNote[] = [...hotelOf(req).reservations.values()].flatMap((r) => r.comments.map((c) => ({ vendorId: c.id, reservationVendorId: r.id, text: c.text })));
      res.json({ notes });
    }),
  );
  router.put(
    '/faults',
    handled((req, res) => {
      ctx.faults.replace(req.body ?? {});
      res.status(204).end();
    }),
  );
  router.get('/stats', (_req, res) => {
    res.json(ctx.throttle.snapshot());
  });
  router.post('/reset', (_req, res) => {
    hooks.reset();
    res.status(204).end();
  });
  router.post('/tokens/expire', (_req, res) => {
    res.json({ expired: ctx.tokens.expireAll() });
  });
  router.get('/tokens', (_req, res) => {
    res.json(ctx.tokens.tokenStats());
  });
  return router;
}
