/**
 * What the simulated OPERA environment holds, in OPERA's own terms (hotel codes, profile ids,
 * reservation statuses, transaction numbers). Wire shapes are built from it in views.ts.
 */
import type { BookedStay } from '../../simulator-kit/bookings';

/** OPERA's stored reservation statuses the simulator uses (`pMS_ResStatusType`). */
export type SimStatus = 'Reserved' | 'InHouse' | 'CheckedOut' | 'Cancelled' | 'NoShow';

export type HousekeepingStatus = 'Clean' | 'Dirty' | 'Pickup' | 'Inspected' | 'OutOfOrder' | 'OutOfService';

export interface SimPreference {
  type: string;
  code: string;
  description: string;
}

/** Profiles belong to the enterprise (chain), not to one hotel, as in OPERA. */
export interface SimProfileRecord {
  id: string;
  givenName: string | null;
  surname: string;
  email: string | null;
  emailId: string | null;
  phone: string | null;
  phoneId: string | null;
  language: string | null;
  nationality: string | null;
  optInSms: boolean | null;
  preferences: SimPreference[];
  createdAt: string;
  modifiedAt: string;
}

export interface SimCommentRecord {
  id: string;
  text: string;
  title: string;
  type: string;
  internal: boolean;
  createdAt: string;
}

/** Dates, party and room are the kit's booked stay. */
export interface SimReservationRecord extends BookedStay {
  id: string;
  confirmation: string;
  hotelCode: string;
  profileId: string;
  status: SimStatus;
  comments: SimCommentRecord[];
  createdAt: string;
  modifiedAt: string;
}

export interface SimPostingRecord {
  transactionNo: number;
  reservationId: string;
  transactionCode: string;
  amount: number;
  currency: string;
  quantity: number;
  reference: string | null;
  remark: string | null;
  folioWindowNo: number;
  postedAt: string;
  businessDate: string;
}

export interface SimRoomRecord {
  id: string;
  roomType: string;
  floor: string;
  status: HousekeepingStatus;
  occupied: boolean;
}

export interface SimHotelRecord {
  code: string;
  name: string;
  timezone: string;
  country: string;
  currency: string;
  seed: number;
  rooms: SimRoomRecord[];
  reservations: Map<string, SimReservationRecord>;
  postings: SimPostingRecord[];
}
