import { DateTime, Duration, IANAZone } from 'luxon';

/**
 * Reminder times of an appointment, computed once when the appointment is scheduled so the
 * workflow only ever sees UTC instants (deterministic, no time-zone data in the sandbox).
 *
 * Rules for local times that a daylight-saving change makes odd (as `Temporal`'s
 * "compatible" disambiguation):
 * - a local time that does not exist (the clocks jump over it) is shifted forward by the
 *   length of the jump: 02:30 on the spring-forward night in Paris becomes 03:30 (+02:00);
 * - a local time that exists twice (the clocks go back over it) is the first of the two,
 *   with the offset in force before the change: 02:30 on the fall-back night in Paris is
 *   02:30+02:00, i.e. 00:30Z.
 * "N before" offsets are elapsed time (24 h before is 24 real hours, also across a change);
 * "the day before at 18:00" is wall-clock time in the appointment's zone.
 */

export type ReminderOffset =
  /** ISO 8601 duration of elapsed time before the appointment (weeks, days = 24 h, hours, minutes, seconds). */
  | { before: string }
  | { beforeMinutes: number }
  /** Wall-clock time in the appointment's zone, `daysBefore` calendar days before its date. */
  | { daysBefore: number; at: string };

export interface ReminderTimesInput {
  /** Local date-time without offset, e.g. `2026-03-29T09:30` (seconds optional). */
  startsAt: string;
  /** IANA zone, e.g. `Europe/Paris`. */
  timeZone: string;
  reminders: readonly ReminderOffset[];
}

export interface ComputedReminder {
  /** Stable name of the rule, safe in workflow ids: `before-24h`, `day-1-at-18:00`. */
  key: string;
  /** The rule in words, for people. */
  rule: string;
  /** UTC instant (ISO 8601, `Z`). */
  sendAt: string;
  /** The same instant in the appointment's zone (ISO 8601 with offset). */
  localSendAt: string;
}

export interface ReminderTimes {
  /** UTC instant of the appointment. */
  startsAt: string;
  /** The appointment in its zone, after the rules above (may differ from the requested local time). */
  localStartsAt: string;
  /** Sorted by send time. */
  reminders: ComputedReminder[];
}

export interface ReminderTimesOptions {
  /**
   * The current instant (epoch ms): an appointment starting at or before it is refused. Given
   * by the API for every schedule request; left out where times are only computed (tests, plans).
   */
  now?: number;
}

/** A request whose times cannot be computed; `path` points into the request body. */
export class ReminderTimeError extends Error {
  constructor(
    message: string,
    readonly path: (string | number)[],
  ) {
    super(message);
    this.name = 'ReminderTimeError';
  }
}

const LOCAL_DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,3}))?)?$/;
const WALL_TIME = /^(\d{2}):(\d{2})(?::(\d{2}))?$/;
const DAY_MS = 86_400_000;
/** Longest offset accepted: reminders are days or weeks ahead, not years. */
export const MAX_REMINDER_OFFSET_DAYS = 366;

interface WallClock {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  millisecond: number;
}

/**
 * Only IANA region zones (`Europe/Paris`, `America/Argentina/Buenos_Aires`), and `UTC` for
 * callers that really mean it. Refused: fixed offsets, whether `Etc/GMT+5` (UTC-5: the sign
 * is POSIX's, the reverse of ISO 8601) or `EST`/`CET`-style abbreviations, because an
 * appointment happens at a place and only a region zone follows that place's daylight-saving
 * changes; a fixed offset would put every reminder an hour off for half the year.
 */
export function isValidTimeZone(zone: string): boolean {
  if (zone === 'UTC') return true;
  // Intl matches zone names without regard to case, so `etc/gmt+5` must be refused too.
  if (!zone.includes('/') || /^etc\//i.test(zone)) return false;
  return IANAZone.isValidZone(zone);
}

function parseLocal(value: string): WallClock | undefined {
  const m = LOCAL_DATE_TIME.exec(value);
  if (!m) return undefined;
  const wall: WallClock = {
    year: Number(m[1]),
    month: Number(m[2]),
    day: Number(m[3]),
    hour: Number(m[4]),
    minute: Number(m[5]),
    second: Number(m[6] ?? 0),
    millisecond: Number((m[7] ?? '0').padEnd(3, '0')),
  };
  // Luxon refuses 2026-02-30 and the like (Date.UTC would roll them over); 24:00 is not a start time.
  return wall.hour < 24 && DateTime.fromObject(wall, { zone: 'utc' }).isValid ? wall : undefined;
}

const wallMs = (w: WallClock) => Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute, w.second, w.millisecond);

/**
 * The instant a wall-clock time denotes in `zone`, by the rules above (the same as
 * `Temporal.ZonedDateTime` with `disambiguation: 'compatible'`). Luxon alone picks the later
 * of two ambiguous instants in some zones and the earlier in others, so the choice is made here.
 */
export function resolveWallClock(wall: WallClock, zoneName: string): number {
  const zone = IANAZone.create(zoneName);
  const local = wallMs(wall);
  // Offsets in force a day either side cover any single transition near this time.
  const before = zone.offset(local - DAY_MS);
  const after = zone.offset(local + DAY_MS);
  const candidates = [...new Set([before, after])]
    .map((offsetMinutes) => local - offsetMinutes * 60_000)
    .filter((instant) => zone.offset(instant) * 60_000 === local - instant)
    .sort((a, b) => a - b);
  // Exists (once or twice): the first occurrence. In a gap: read it with the offset before the
  // jump, which lands as far past the jump as the time was past its start.
  return candidates[0] ?? local - before * 60_000;
}

/** `Europe/Paris` local rendering of an instant, ISO 8601 with offset. */
export const localIso = (instant: number, zone: string): string =>
  DateTime.fromMillis(instant, { zone }).toISO({ suppressMilliseconds: true }) ?? new Date(instant).toISOString();

const utcIso = (instant: number) => new Date(instant).toISOString();

/** `24h`, `1h30m`, `20s`: compact, readable, safe in workflow ids. */
function compactSeconds(total: number): string {
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  return `${h ? `${h}h` : ''}${m ? `${m}m` : ''}${s ? `${s}s` : ''}`;
}

function elapsedSeconds(offset: { before: string } | { beforeMinutes: number }, path: (string | number)[]): number {
  let seconds: number;
  if ('beforeMinutes' in offset) {
    seconds = offset.beforeMinutes * 60;
  } else {
    const duration = Duration.fromISO(offset.before);
    if (!duration.isValid) throw new ReminderTimeError('must be an ISO 8601 duration such as PT24H, PT1H30M or P2D', [...path, 'before']);
    const units = duration.toObject();
    if (units.years || units.quarters || units.months) {
      throw new ReminderTimeError('months and years have no fixed length; use weeks, days (24 h), hours, minutes or seconds', [...path, 'before']);
    }
    seconds = duration.as('seconds');
  }
  if (!Number.isInteger(seconds) || seconds <= 0) throw new ReminderTimeError('must be a positive whole number of seconds', path);
  if (seconds > MAX_REMINDER_OFFSET_DAYS * 86_400) throw new ReminderTimeError(`must be at most ${MAX_REMINDER_OFFSET_DAYS} days`, path);
  return seconds;
}

/**
 * Computes every reminder's instant. Throws `ReminderTimeError` for an unknown zone, an
 * impossible date, a start not after `options.now`, a reminder at or after the appointment,
 * or two rules naming the same time.
 */
export function computeReminderTimes(input: ReminderTimesInput, options: ReminderTimesOptions = {}): ReminderTimes {
  if (!isValidTimeZone(input.timeZone)) throw new ReminderTimeError('must be an IANA region time zone such as Europe/Paris, or UTC (fixed offsets such as Etc/GMT+5 ignore daylight saving)', ['timeZone']);
  const wall = parseLocal(input.startsAt);
  if (!wall) throw new ReminderTimeError('must be a local date-time such as 2026-03-29T09:30 (no offset: timeZone says where)', ['startsAt']);
  const startsAt = resolveWallClock(wall, input.timeZone);
  if (options.now !== undefined && startsAt <= options.now) {
    throw new ReminderTimeError(`is in the past (${localIso(startsAt, input.timeZone)}); an appointment must start in the future`, ['startsAt']);
  }
  const localStart = DateTime.fromMillis(startsAt, { zone: input.timeZone });

  const reminders = input.reminders.map((offset, i): ComputedReminder => {
    const path = ['reminders', i];
    let key: string;
    let rule: string;
    let sendAt: number;
    if ('daysBefore' in offset) {
      const at = WALL_TIME.exec(offset.at);
      const [hour, minute, second] = at ? [Number(at[1]), Number(at[2]), Number(at[3] ?? 0)] : [NaN, NaN, NaN];
      if (!at || hour > 23 || minute > 59 || second > 59) throw new ReminderTimeError('must be a local time such as 18:00', [...path, 'at']);
      if (!Number.isInteger(offset.daysBefore) || offset.daysBefore < 0 || offset.daysBefore > MAX_REMINDER_OFFSET_DAYS) {
        throw new ReminderTimeError(`must be a whole number of days from 0 to ${MAX_REMINDER_OFFSET_DAYS}`, [...path, 'daysBefore']);
      }
      // Calendar arithmetic on the local date (the appointment's, after the rules above).
      const day = DateTime.fromObject({ year: localStart.year, month: localStart.month, day: localStart.day }, { zone: 'utc' }).minus({ days: offset.daysBefore });
      sendAt = resolveWallClock({ year: day.year, month: day.month, day: day.day, hour, minute, second, millisecond: 0 }, input.timeZone);
      const time = second ? offset.at : offset.at.slice(0, 5);
      key = `day-${offset.daysBefore}-at-${time}`;
      rule = offset.daysBefore === 0 ? `the same day at ${time}` : offset.daysBefore === 1 ? `the day before at ${time}` : `${offset.daysBefore} days before at ${time}`;
    } else {
      const seconds = elapsedSeconds(offset, path);
      sendAt = startsAt - seconds * 1000;
      key = `before-${compactSeconds(seconds)}`;
      rule = `${compactSeconds(seconds)} before`;
    }
    if (sendAt >= startsAt) throw new ReminderTimeError(`falls at or after the appointment (${localIso(sendAt, input.timeZone)})`, path);
    return { key, rule, sendAt: utcIso(sendAt), localSendAt: localIso(sendAt, input.timeZone) };
  });

  const seen = new Map<string, number>();
  reminders.forEach((r, i) => {
    const first = seen.get(r.key);
    if (first !== undefined) throw new ReminderTimeError(`is the same reminder as reminders[${first}] (${r.rule})`, ['reminders', i]);
    seen.set(r.key, i);
  });
  reminders.sort((a, b) => Date.parse(a.sendAt) - Date.parse(b.sendAt));
  return { startsAt: utcIso(startsAt), localStartsAt: localIso(startsAt, input.timeZone), reminders };
}
