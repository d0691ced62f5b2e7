/** Every operation of the PMS interface: the rows of the capability table the API exposes. */
export const PMS_OPERATIONS = [
  'getGuest',
  'getReservation',
  'searchReservations',
  'listArrivals',
  'postCharge',
  'postNote',
  'updateGuest',
  'listRooms',
] as const;

export type PmsOperation = (typeof PMS_OPERATIONS)[number];

export interface Capability {
  supported: boolean;
  /** Why not, or how the vendor does it (shown to operators), e.g. "notes are customer-level". */
  note?: string;
}

export type CapabilityTable = Record<PmsOperation, Capability>;
