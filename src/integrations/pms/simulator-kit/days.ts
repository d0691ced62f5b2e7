/** A hotel's calendar days: stays are booked in the hotel's own days, not in UTC. */

/** The hotel's calendar day `offset` days from `now` (YYYY-MM-DD in its time zone). */
export function localDay(timezone: string, offset = 0, now = Date.now()): string {
  const today = new Intl.DateTimeFormat('en-CA', { timeZone: timezone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date(now));
  return addDays(today, offset);
}

export function addDays(day: string, days: number): string {
  const date = new Date(`${day}T00:00:00Z`);
  date.setUTCDate(date.getUTCDate() + days);
  return date.toISOString().slice(0, 10);
}
