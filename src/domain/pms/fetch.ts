import type { ReservationQuery } from '../../integrations/pms/model';

/**
 * What the read path asks the PMS for (one read into the cache), and what comes back through
 * the workflow: only the vendor ids found (the API then reads the cache). Workflow-safe: types only.
 */
export type PmsFetchRequest =
  | { kind: 'guest'; propertyId: string; vendorId: string }
  | { kind: 'reservation'; propertyId: string; vendorId: string }
  | { kind: 'search'; propertyId: string; query: ReservationQuery }
  | { kind: 'rooms'; propertyId: string };

export interface PmsFetchResult {
  /** Vendor ids of what the PMS returned (empty: it has no such record). */
  vendorIds: string[];
}
