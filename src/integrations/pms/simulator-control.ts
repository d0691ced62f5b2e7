/**
 * The control protocol every PMS simulator speaks under `/__sim/` besides its vendor's wire
 * format, so that tests, the demo seed and `bench:arrivals` drive any vendor the same way.
 * These are plain types and a small client. The server side that is the same for every vendor
 * (reading and validating these bodies, routing, faults, seeded randomness) is in simulator-kit/;
 * a simulator builds on it with its own vendor definitions and never imports its adapter.
 *
 *   POST   /__sim/hotels                                   SimHotelSpec          → SimHotel
 *   POST   /__sim/hotels/:hotel/reservations               SimReservationSpec    → SimReservationCreated
 *   PATCH  /__sim/hotels/:hotel/reservations/:reservation  SimReservationChange  → 204
 *   PATCH  /__sim/hotels/:hotel/guests/:guest              SimGuestChange        → 204 (a hotel's own edit)
 *   GET    /__sim/hotels/:hotel/charges                    → { charges: SimCharge[] }   (what the folio holds)
 *   GET    /__sim/hotels/:hotel/notes                      → { notes: SimNote[] }
 *   PUT    /__sim/faults                                   SimFaults             → 204 (replaces the current set)
 *   GET    /__sim/stats                                    → SimStats
 *   POST   /__sim/reset                                    → 204 (forget hotels, faults and counters)
 *
 * `:hotel` is the hotel's `vendorPropertyId`; ids in answers are the vendor's ids.
 */

export interface SimHotelSpec {
  name: string;
  /** IANA zone of the hotel. */
  timezone: string;
  /** ISO 3166-1 alpha-2; phone numbers in the seed are written in this country's national format. */
  country: string;
  rooms: number;
  /** Seeded arrivals per local day, for today and the next days (with guests). */
  arrivalsPerDay: number;
  /** Makes the generated data reproducible. */
  seed: number;
  /** Demo-mode churn: new/changed/cancelled arrivals every `everyMs` (0 or absent = none). */
  churn?: { everyMs: number };
}

export interface SimHotel {
  vendorPropertyId: string;
  /** What `POST /v1/properties` takes as this property's credentials (the vendor's own shape). */
  credentials: Record<string, unknown>;
  timezone: string;
}

export interface SimGuestSpec {
  firstName?: string;
  lastName: string;
  email?: string;
  /** As a hotel would type it, e.g. "06-12345678". */
  phone?: string;
  language?: string;
  /** Where the vendor has a consent field; ignored by vendors that have none. */
  messagingConsent?: boolean;
}

export interface SimReservationSpec {
  arrivalDate: string;
  departureDate: string;
  guest: SimGuestSpec;
  roomNumber?: string;
  adults?: number;
}

export interface SimReservationCreated {
  reservationVendorId: string;
  guestVendorId: string;
  confirmationNumber: string;
}

export interface SimReservationChange {
  arrivalDate?: string;
  departureDate?: string;
  roomNumber?: string | null;
  adults?: number;
  /** `cancelled` cancels; `checked_in` checks in. */
  status?: 'confirmed' | 'cancelled' | 'checked_in';
}

export interface SimGuestChange {
  firstName?: string;
  lastName?: string;
  email?: string;
  phone?: string;
  language?: string;
}

export interface SimCharge {
  vendorId: string;
  reservationVendorId: string;
  /** The reference the poster sent (Mews ExternalIdentifier, OPERA postingReference, ...), if any. */
  reference: string | null;
  amount: string;
  currency: string;
  description: string;
}

export interface SimNote {
  vendorId: string;
  reservationVendorId: string;
  text: string;
}

export interface SimFaults {
  /** Every vendor request fails as the vendor fails when it is down (connection refused or 503). */
  outage?: boolean;
  /** Share of requests answered with a 5xx (0..1). */
  error5xxRate?: number;
  /** Share of requests answered with 429 (with the vendor's retry hint), besides the real limit. */
  rate429Rate?: number;
  /** Added to every answer. */
  latencyMs?: number;
  /** The next N writes are applied, then their answer is lost (the connection is destroyed). */
  loseAnswers?: number;
}

export interface SimStats {
  /** Vendor-format requests received (control requests not counted). */
  requests: number;
  /** Requests received while the vendor's real limit at its real scope was already spent. */
  overLimit: number;
  /** Requests per limit scope (access token, hotel, client...). */
  byScope: Record<string, { requests: number; overLimit: number }>;
}

/** A typed client for the protocol above (tests, demo seed, benchmarks). */
export class SimulatorControl {
  constructor(private readonly baseUrl: string) {}

  addHotel(spec: SimHotelSpec): Promise<SimHotel> {
    return this.call('POST', '/__sim/hotels', spec);
  }
  addReservation(hotel: string, spec: SimReservationSpec): Promise<SimReservationCreated> {
    return this.call('POST', `/__sim/hotels/${encodeURIComponent(hotel)}/reservations`, spec);
  }
  changeReservation(hotel: string, reservation: string, change: SimReservationChange): Promise<void> {
    return this.call('PATCH', `/__sim/hotels/${encodeURIComponent(hotel)}/reservations/${encodeURIComponent(reservation)}`, change);
  }
  changeGuest(hotel: string, guest: string, change: SimGuestChange): Promise<void> {
    return this.call('PATCH', `/__sim/hotels/${encodeURIComponent(hotel)}/guests/${encodeURIComponent(guest)}`, change);
  }
  async charges(hotel: string): Promise<SimCharge[]> {
    return (await this.call<{ charges: SimCharge[] }>('GET', `/__sim/hotels/${encodeURIComponent(hotel)}/charges`)).charges;
  }
  async notes(hotel: string): Promise<SimNote[]> {
    return (await this.call<{ notes: SimNote[] }>('GET', `/__sim/hotels/${encodeURIComponent(hotel)}/notes`)).notes;
  }
  setFaults(faults: SimFaults): Promise<void> {
    return this.call('PUT', '/__sim/faults', faults);
  }
  stats(): Promise<SimStats> {
    return this.call('GET', '/__sim/stats');
  }
  reset(): Promise<void> {
    return this.call('POST', '/__sim/reset');
  }

  private async call<T>(method: string, path: string, body?: unknown): Promise<T> {
    const res = await fetch(new URL(path, this.baseUrl), {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    if (!res.ok) throw new Error(`simulator ${method} ${path} answered ${res.status}: ${(await res.text()).slice(0, 300)}`);
    return (res.status === 204 ? undefined : await res.json()) as T;
  }
}
