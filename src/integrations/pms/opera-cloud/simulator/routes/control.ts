/**
 * The `/__sim/` control protocol of simulator-control.ts, plus two OPERA extras:
 * `POST /__sim/tokens/expire` (every issued token stops working now → `{ expired }`) and
 * `GET /__sim/tokens` (`{ issued, refused }`).
 */
import express, { type Request, type Response, Router } from 'express';
import type { SimCharge, SimGuestChange, SimHotel, SimHotelSpec, SimNote, SimReservationChange, SimReservationCreated, SimReservationSpec } from '../../../simulator-control';
import type { OperaSimContext } from '../context';
import type { SimHotelRecord } from '../model';
import { DATE } from './common';

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

function isZone(zone: unknown): zone is string {
  if (typeof zone !== 'string') return false;
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

const count = (v: unknown, max: number): boolean => Number.isInteger(v) && (v as number) >= 0 && (v as number) <= max;

function hotelSpecProblem(spec: Partial<SimHotelSpec>): string | undefined {
  if (typeof spec.name !== 'string' || spec.name.trim() === '') return 'name is required';
  if (!isZone(spec.timezone)) return 'timezone must be an IANA zone';
  if (typeof spec.country !== 'string' || !/^[A-Za-z]{2}$/.test(spec.country)) return 'country must be ISO 3166-1 alpha-2';
  if (!count(spec.rooms, 5000)) return 'rooms must be an integer in 0..5000';
  if (!count(spec.arrivalsPerDay, 1000)) return 'arrivalsPerDay must be an integer in 0..1000';
  if (!Number.isInteger(spec.seed)) return 'seed must be an integer';
  if (spec.churn !== undefined && !count(spec.churn.everyMs, 86_400_000)) return 'churn.everyMs must be an integer in 0..86400000';
  return undefined;
}

function addReservation(ctx: OperaSimContext, hotel: SimHotelRecord, spec: Partial<SimReservationSpec>): SimReservationCreated | string {
  if (typeof spec.arrivalDate !== 'string' || !DATE.test(spec.arrivalDate)) return 'arrivalDate must be YYYY-MM-DD';
  if (typeof spec.departureDate !== 'string' || !DATE.test(spec.departureDate) || spec.departureDate <= spec.arrivalDate) return 'departureDate must be YYYY-MM-DD after arrivalDate';
  const guest = spec.guest;
  if (!guest || typeof guest.lastName !== 'string' || guest.lastName.trim() === '') return 'guest.lastName is required';
  if (spec.roomNumber !== undefined && !hotel.rooms.some((r) => r.id === spec.roomNumber)) return `room ${spec.roomNumber} does not exist`;
  const profile = ctx.store.addProfile({
    givenName: guest.firstName ?? null,
    surname: guest.lastName,
    email: guest.email ?? null,
    phone: guest.phone ?? null,
    language: guest.language?.toUpperCase() ?? null,
    nationality: hotel.country,
    optInSms: guest.messagingConsent ?? null,
  });
  const r = ctx.store.addReservation(hotel, profile.id, spec as SimReservationSpec);
  return { reservationVendorId: r.id, guestVendorId: profile.id, confirmationNumber: r.confirmation };
}

function changeReservation(ctx: OperaSimContext, hotel: SimHotelRecord, id: string, change: SimReservationChange): string | undefined {
  const r = hotel.reservations.get(id);
  if (!r) return `reservation ${id} does not exist`;
  if (change.roomNumber !== undefined && change.roomNumber !== null && !hotel.rooms.some((x) => x.id === change.roomNumber)) return `room ${change.roomNumber} does not exist`;
  if (change.arrivalDate !== undefined) r.arrival = change.arrivalDate;
  if (change.departureDate !== undefined) r.departure = change.departureDate;
  if (change.adults !== undefined) r.adults = change.adults;
  if (change.roomNumber !== undefined) r.roomId = change.roomNumber;
  if (change.status === 'cancelled') ctx.store.setStatus(r, 'Cancelled');
  else if (change.status === 'checked_in') ctx.store.checkIn(hotel, r);
  else if (change.status === 'confirmed') ctx.store.setStatus(r, 'Reserved');
  else r.modifiedAt = ctx.store.stamp();
  return undefined;
}

function changeGuest(ctx: OperaSimContext, id: string, change: SimGuestChange): string | undefined {
  const p = ctx.store.profiles.get(id);
  if (!p) return `guest ${id} does not exist`;
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
  return undefined;
}

export function controlRouter(ctx: OperaSimContext, hooks: ControlHooks): Router {
  const router = Router();
  router.use(express.json({ limit: '1mb' }));
  const hotelOf = (req: Request, res: Response): SimHotelRecord | undefined => {
    const hotel = ctx.store.hotels.get(String(req.params.hotel));
    if (!hotel) fail(res, 404, `hotel ${String(req.params.hotel)} does not exist`);
    return hotel;
  };

  router.post('/hotels', (req, res) => {
    const spec = (req.body ?? {}) as Partial<SimHotelSpec>;
    const problem = hotelSpecProblem(spec);
    if (problem !== undefined) return fail(res, 400, problem);
    const hotel = ctx.store.addHotel(spec as SimHotelSpec);
    if (spec.churn && spec.churn.everyMs > 0) hooks.startChurn(hotel, spec.churn.everyMs);
    const answer: SimHotel = { vendorPropertyId: hotel.code, credentials: { chargeTransactionCode: SIM_CHARGE_TRANSACTION_CODE }, timezone: hotel.timezone };
    res.status(201).json(answer);
  });
  router.post('/hotels/:hotel/reservations', (req, res) => {
    const hotel = hotelOf(req, res);
    if (!hotel) return;
    const made = addReservation(ctx, hotel, (req.body ?? {}) as Partial<SimReservationSpec>);
    if (typeof made === 'string') return fail(res, 400, made);
    res.status(201).json(made);
  });
  router.patch('/hotels/:hotel/reservations/:reservation', (req, res) => {
    const hotel = hotelOf(req, res);
    if (!hotel) return;
    const problem = changeReservation(ctx, hotel, String(req.params.reservation), (req.body ?? {}) as SimReservationChange);
    if (problem !== undefined) return fail(res, 404, problem);
    res.status(204).end();
  });
  router.patch('/hotels/:hotel/guests/:guest', (req, res) => {
    if (!hotelOf(req, res)) return;
    const problem = changeGuest(ctx, String(req.params.guest), (req.body ?? {}) as SimGuestChange);
    if (problem !== undefined) return fail(res, 404, problem);
    res.status(204).end();
  });
  router.get('/hotels/:hotel/charges', (req, res) => {
    const hotel = hotelOf(req, res);
    if (!hotel) return;
    const charges: SimCharge[] = hotel.postings.map((p) => ({
      vendorId: String(p.transactionNo),
      reservationVendorId: p.reservationId,
      reference: p.reference,
      amount: String(p.amount * p.quantity),
      currency: p.currency,
      description: p.remark ?? '',
    }));
    res.json({ charges });
  });
  router.get('/hotels/:hotel/notes', (req, res) => {
    const hotel = hotelOf(req, res);
    if (!hotel) return;
    const notes: SimNote[] = [...hotel.reservations.values()].flatMap((r) => r.comments.map((c) => ({ vendorId: c.id, reservationVendorId: r.id, text: c.text })));
    res.json({ notes });
  });
  router.put('/faults', (req, res) => {
    try {
      ctx.faults.replace(req.body ?? {});
    } catch (error) {
      return fail(res, 400, (error as Error).message);
    }
    res.status(204).end();
  });
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
