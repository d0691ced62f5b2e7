/** What an arrival event says happened to a reservation arriving today or tomorrow. */
export const ARRIVAL_EVENT_TYPES = ['arrival.new', 'arrival.changed', 'arrival.cancelled'] as const;
export type ArrivalEventType = (typeof ARRIVAL_EVENT_TYPES)[number];
