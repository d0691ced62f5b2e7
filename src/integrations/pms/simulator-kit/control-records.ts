/**
 * What every simulator's `/__sim/` handlers do the same way over its own records: find the record
 * a path names, find a room by the number staff know it by, read a staff edit of a guest, and
 * answer reset, stats and faults from the simulator's parts.
 */
import type { SimFaults, SimStats } from '../simulator-control';
import { badRequest, cleared, type ControlHandlers, notFound, parseGuestChange } from './control';
import { clearFaults, replaceFaults } from './faults';

/** The record a control path names; a 404 with `message` when there is none. */
export function found<T>(record: T | undefined, message: string): T {
  if (record === undefined) throw notFound(message);
  return record;
}

/** The hotel's room whose number (`numberOf`, in the vendor's field) is `number`; a 400 when it has none. */
export function roomByNumber<R>(rooms: Iterable<R>, number: string, numberOf: (room: R) => string): R {
  for (const room of rooms) if (numberOf(room) === number) return room;
  throw badRequest(`hotel has no room ${number}`);
}

/** A guest as staff edit it: `null` empties a field; a last name is never emptied (a guest always has one). */
export interface StaffGuestEdit {
  firstName?: string | null;
  lastName?: string;
  email?: string | null;
  phone?: string | null;
  language?: string | null;
}

/** `PATCH /__sim/hotels/:hotel/guests/:guest` for a vendor whose staff can clear what its API cannot: an empty string empties the field. */
export function staffGuestEdit(body: unknown): StaffGuestEdit {
  const change = parseGuestChange(body);
  const edit: StaffGuestEdit = { firstName: cleared(change.firstName), email: cleared(change.email), phone: cleared(change.phone), language: cleared(change.language) };
  if (change.lastName !== undefined && change.lastName.trim() !== '') edit.lastName = change.lastName;
  return edit;
}

/** A simulator's faults as control replaces and forgets them. */
export interface ReplaceableFaults {
  replace(body: unknown): void;
  reset(): void;
}

/** Faults kept in one object shared with the simulator's server, replaced and cleared in place. */
export const sharedFaults = (faults: SimFaults): ReplaceableFaults => ({ replace: (body) => replaceFaults(faults, body), reset: () => clearFaults(faults) });

export interface SimulatorParts {
  /** What a reset forgets besides the faults, in this order (data, counters, a vendor's own state). */
  forget: ReadonlyArray<{ reset(): void }>;
  limits: { snapshot(): SimStats };
  faults: ReplaceableFaults;
}

/** The handlers every simulator answers from its parts alone: reset, stats, faults. */
export function partsHandlers(parts: SimulatorParts): Pick<ControlHandlers<unknown>, 'reset' | 'stats' | 'setFaults'> {
  return {
    reset: () => {
      for (const part of parts.forget) part.reset();
      parts.faults.reset();
    },
    stats: () => parts.limits.snapshot(),
    setFaults: (body) => parts.faults.replace(body),
  };
}
