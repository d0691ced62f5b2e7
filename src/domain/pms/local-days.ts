/**
 * A hotel's calendar days: arrivals are "today" and "tomorrow" where the hotel is, not where
 * Relay runs. Days are `YYYY-MM-DD`, as the common PMS model writes them.
 */

export function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-CA', { timeZone: zone });
    return /\//.test(zone) || zone === 'UTC';
  } catch {
    return false;
  }
}

/** The hotel's local day `offsetDays` from the day `at` falls on in `timezone`. */
export function localDay(timezone: string, offsetDays = 0, at: Date = new Date()): string {
  const today = new Intl.DateTimeFormat('en-CA', { timeZone: timezone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(at);
  const [y, m, d] = today.split('-').map(Number) as [number, number, number];
  return new Date(Date.UTC(y, m - 1, d + offsetDays)).toISOString().slice(0, 10);
}

/** Today and tomorrow at the hotel: the window of each arrivals poll. */
export const arrivalWindow = (timezone: string, at: Date = new Date()) => ({ from: localDay(timezone, 0, at), to: localDay(timezone, 1, at) });

export const isWithin = (day: string, range: { from: string; to: string }) => day >= range.from && day <= range.to;
