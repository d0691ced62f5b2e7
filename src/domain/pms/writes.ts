import type { GuestPatch, Money, PostedCharge, PostedNote } from '../../integrations/pms/model';
import type { PmsProblem } from './failures';

/**
 * Writes to a PMS as Relay records and answers them (the request kept under the caller's
 * idempotency key, the outcome replayed for a repeat). Workflow-safe: types only.
 */

export type WriteRequest =
  | { operation: 'charge'; reservationVendorId: string; amount: Money; description: string; itemCode?: string }
  | { operation: 'note'; reservationVendorId: string; text: string }
  | { operation: 'guest_update'; guestVendorId: string; version: string; patch: GuestPatch };

export type WriteProblem = PmsProblem | 'version_conflict';

export type WriteResult =
  | {
      status: 'succeeded';
      /** The vendor already held this request's write (an earlier attempt's answer was lost): found, not written again. */
      foundExisting: boolean;
      charge?: PostedCharge;
      note?: PostedNote;
      guest?: { vendorId: string; version: string };
    }
  | {
      status: 'failed';
      problem: WriteProblem;
      message: string;
      /** A guest changed at the hotel since the caller read it: both values, field by field. */
      conflict?: { current: Record<string, unknown>; requested: Record<string, unknown> };
    }
  /** The PMS did not answer in time: retry with the same key (the write is looked up before it is made again). */
  | { status: 'unresolved'; message: string };
