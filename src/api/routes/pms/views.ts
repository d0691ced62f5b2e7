import type { z } from 'zod';
import { dayOf } from '../../../db/pms/cache';
import { syncLagSeconds } from '../../../db/pms/properties';
import type { PmsEvent, PmsGuest, PmsProperty, PmsReservation, PmsRoom } from '../../../generated/prisma/client';
import { arrivalsScheduleId } from '../../../temporal/starters/pms-schedules';
import type { EventView, GuestView, PropertyView, ReservationView, RoomView } from './schemas';

/** Rows as the API answers them (credentials never). */

const iso = (d: Date | null) => d?.toISOString() ?? null;

export function propertyView(p: PmsProperty): z.infer<typeof PropertyView> {
  return {
    id: p.id,
    name: p.name,
    vendor: p.vendor,
    vendorPropertyId: p.vendorPropertyId,
    timezone: p.timezone,
    country: p.country,
    pollIntervalSeconds: p.pollIntervalSeconds,
    pollEnabled: p.pollEnabled,
    welcomeTemplate: p.welcomeTemplate,
    welcomeChannel: p.welcomeChannel as 'sms' | 'whatsapp',
    freshness: {
      lastPollAt: iso(p.lastPollAt),
      lastPollOkAt: iso(p.lastPollOkAt),
      lastPushAt: iso(p.lastPushAt),
      lastError: p.lastError,
      lastErrorAt: iso(p.lastErrorAt),
      lagSeconds: syncLagSeconds(p),
    },
    scheduleId: arrivalsScheduleId(p.id),
    createdAt: p.createdAt.toISOString(),
    updatedAt: p.updatedAt.toISOString(),
  };
}

export function guestView(g: PmsGuest): z.infer<typeof GuestView> {
  return {
    id: g.id,
    vendorId: g.vendorId,
    firstName: g.firstName,
    lastName: g.lastName,
    email: g.email,
    phone: g.phoneRaw,
    phoneE164: g.phoneE164,
    phoneInvalid: g.phoneInvalid,
    phoneProblem: g.phoneProblem,
    language: g.language,
    nationality: g.nationality,
    preferences: g.preferences,
    messagingConsent: g.messagingConsent,
    version: g.vendorVersion,
  };
}

export function reservationView(r: PmsReservation): z.infer<typeof ReservationView> {
  return {
    id: r.id,
    vendorId: r.vendorId,
    confirmationNumber: r.confirmationNumber,
    status: r.status,
    arrivalDate: dayOf(r.arrivalDate),
    departureDate: dayOf(r.departureDate),
    guestVendorId: r.guestVendorId,
    roomVendorId: r.roomVendorId,
    roomNumber: r.roomNumber,
    adults: r.adults,
    children: r.children,
    updatedAt: iso(r.vendorUpdatedAt),
  };
}

export const roomView = (r: PmsRoom): z.infer<typeof RoomView> => ({ id: r.id, vendorId: r.vendorId, number: r.number, status: r.status, occupied: r.occupied, roomType: r.roomType, floor: r.floor });

export function eventView(e: PmsEvent): z.infer<typeof EventView> {
  return {
    id: e.id.toString(),
    type: e.type as z.infer<typeof EventView>['type'],
    eventKey: e.eventKey,
    reservationVendorId: e.reservationVendorId,
    arrivalDate: dayOf(e.arrivalDate),
    stateVersion: e.stateVersion,
    payload: e.payload as Record<string, unknown>,
    createdAt: e.createdAt.toISOString(),
    dispatchedAt: iso(e.dispatchedAt),
  };
}
