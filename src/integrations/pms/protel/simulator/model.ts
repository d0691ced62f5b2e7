/**
 * What the simulated protel hotels hold, in protel's own terms: numeric hotel codes, reservation
 * numbers and confirmation numbers, guest profiles of the hotel, folio postings with their
 * ReferenceID, reservation comments, rooms with housekeeping status. The wire shapes are built
 * from these in views.ts.
 */
import type { BookedStay } from '../../simulator-kit/bookings';
import type { HousekeepingStatus, ResStatus } from './wire';

export interface SimProfile {
  id: string;
  givenName: string | null;
  surname: string;
  email: string | null;
  phone: string | null;
  /** ISO 639-1. */
  language: string | null;
  nationality: string | null;
  /** Special requests, as the front desk typed them. */
  preferences: string[];
  createdAt: string;
  modifiedAt: string;
}

export interface SimComment {
  id: string;
  text: string;
  guestViewable: boolean;
  createdAt: string;
}

/** Dates, party and room are the kit's booked stay. */
export interface SimReservation extends BookedStay {
  id: string;
  confirmation: string;
  profileId: string;
  status: ResStatus;
  comments: SimComment[];
  createdAt: string;
  modifiedAt: string;
}

export interface SimPosting {
  id: string;
  reservationId: string;
  referenceId: string | null;
  itemId: string;
  description: string;
  quantity: number;
  /** Decimal text as posted. */
  amount: string;
  currency: string;
  folioWindow: number;
  postedAt: string;
  businessDate: string;
}

export interface SimRoom {
  id: string;
  roomType: string;
  floor: string;
  status: HousekeepingStatus;
  occupied: boolean;
}

export interface SimHotel {
  code: string;
  name: string;
  timezone: string;
  country: string;
  currency: string;
  seed: number;
  /** The bearer token protel issued for this hotel (one per service per hotel). */
  token: string;
  rooms: SimRoom[];
  profiles: Map<string, SimProfile>;
  reservations: Map<string, SimReservation>;
  postings: SimPosting[];
}
