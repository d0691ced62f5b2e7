import { DateTime } from 'luxon';
import { type ReminderTimesInput, type ReminderTimesOptions, ReminderTimeError, computeReminderTimes, isValidTimeZone, localIso, resolveWallClock } from '../src/scheduling/reminder-times';

const PARIS = 'Europe/Paris';
const times = (input: ReminderTimesInput) => computeReminderTimes(input);
const byKey = (input: ReminderTimesInput) => Object.fromEntries(times(input).reminders.map((r) => [r.key, r]));
const failure = (input: ReminderTimesInput, options?: ReminderTimesOptions): { path: (string | number)[]; message: string } => {
  try {
    computeReminderTimes(input, options);
  } catch (err) {
    if (err instanceof ReminderTimeError) return { path: err.path, message: err.message };
    throw err;
  }
  throw new Error('expected a ReminderTimeError');
};

describe('reminder times (pure; daylight-saving rules)', () => {
  it('computes "the day before at 18:00" as local wall-clock time on the spring-forward day', () => {
    // Paris moves from +01:00 to +02:00 on 2026-03-29 at 02:00.
    const r = byKey({ startsAt: '2026-03-30T09:00', timeZone: PARIS, reminders: [{ daysBefore: 1, at: '18:00' }, { before: 'PT24H' }, { beforeMinutes: 60 }] });
    expect(r['day-1-at-18:00']).toEqual({ key: 'day-1-at-18:00', rule: 'the day before at 18:00', sendAt: '2026-03-29T16:00:00.000Z', localSendAt: '2026-03-29T18:00:00+02:00' });
    expect(r['before-24h']!.sendAt).toBe('2026-03-29T07:00:00.000Z');
    expect(r['before-1h']!.localSendAt).toBe('2026-03-30T08:00:00+02:00');
  });

  it('counts "24 h before" as real hours across a change, while "the day before at" keeps the wall-clock hour', () => {
    // Noon on the spring-forward day (10:00Z): 24 real hours earlier it was 11:00 local, not noon.
    const spring = byKey({ startsAt: '2026-03-29T12:00', timeZone: PARIS, reminders: [{ before: 'PT24H' }, { daysBefore: 1, at: '12:00' }] });
    expect(spring['before-24h']).toMatchObject({ sendAt: '2026-03-28T10:00:00.000Z', localSendAt: '2026-03-28T11:00:00+01:00' });
    expect(spring['day-1-at-12:00']).toMatchObject({ sendAt: '2026-03-28T11:00:00.000Z', localSendAt: '2026-03-28T12:00:00+01:00' });
    // Paris goes back from +02:00 to +01:00 on 2026-10-25 at 03:00: the day is 25 hours long.
    const autumn = byKey({ startsAt: '2026-10-25T12:00', timeZone: PARIS, reminders: [{ beforeMinutes: 1440 }, { daysBefore: 1, at: '12:00' }] });
    expect(autumn['before-24h']).toMatchObject({ sendAt: '2026-10-24T11:00:00.000Z', localSendAt: '2026-10-24T13:00:00+02:00' });
    expect(autumn['day-1-at-12:00']).toMatchObject({ sendAt: '2026-10-24T10:00:00.000Z', localSendAt: '2026-10-24T12:00:00+02:00' });
    expect(Date.parse(times({ startsAt: '2026-10-25T12:00', timeZone: PARIS, reminders: [{ before: 'PT1H' }] }).startsAt) - Date.parse(autumn['day-1-at-12:00']!.sendAt)).toBe(25 * 3_600_000);
  });

  it('shifts a local time that does not exist forward by the jump', () => {
    const start = times({ startsAt: '2026-03-29T02:30', timeZone: PARIS, reminders: [{ before: 'PT20S' }] });
    expect(start).toMatchObject({ startsAt: '2026-03-29T01:30:00.000Z', localStartsAt: '2026-03-29T03:30:00+02:00' });
    expect(start.reminders[0]).toMatchObject({ key: 'before-20s', sendAt: '2026-03-29T01:29:40.000Z', localSendAt: '2026-03-29T03:29:40+02:00' });
    const reminder = byKey({ startsAt: '2026-03-30T09:00', timeZone: PARIS, reminders: [{ daysBefore: 1, at: '02:30' }] });
    expect(reminder['day-1-at-02:30']).toMatchObject({ sendAt: '2026-03-29T01:30:00.000Z', localSendAt: '2026-03-29T03:30:00+02:00' });
    // New York springs forward at 02:00 to 03:00; Samoa skipped 30 December 2011 entirely.
    expect(times({ startsAt: '2026-03-08T02:30', timeZone: 'America/New_York', reminders: [{ before: 'PT1H' }] }).localStartsAt).toBe('2026-03-08T03:30:00-04:00');
    expect(times({ startsAt: '2011-12-30T12:00', timeZone: 'Pacific/Apia', reminders: [{ before: 'PT1H' }] })).toMatchObject({
      startsAt: '2011-12-30T22:00:00.000Z',
      localStartsAt: '2011-12-31T12:00:00+14:00',
    });
  });

  it('takes the first occurrence of a local time that happens twice (the offset before the clocks go back)', () => {
    expect(times({ startsAt: '2026-10-25T02:30', timeZone: PARIS, reminders: [{ before: 'PT1H' }] })).toMatchObject({
      startsAt: '2026-10-25T00:30:00.000Z',
      localStartsAt: '2026-10-25T02:30:00+02:00',
    });
    expect(byKey({ startsAt: '2026-10-26T09:00', timeZone: PARIS, reminders: [{ daysBefore: 1, at: '02:30' }] })['day-1-at-02:30']!.sendAt).toBe('2026-10-25T00:30:00.000Z');
    expect(times({ startsAt: '2026-11-01T01:30', timeZone: 'America/New_York', reminders: [{ before: 'PT1H' }] }).startsAt).toBe('2026-11-01T05:30:00.000Z');
    // Lord Howe Island changes by 30 minutes (+11:00 → +10:30 at 02:00 on 2026-04-05).
    expect(times({ startsAt: '2026-04-05T01:45', timeZone: 'Australia/Lord_Howe', reminders: [{ before: 'PT1H' }] }).localStartsAt).toBe('2026-04-05T01:45:00+11:00');
  });

  it('maps every existing wall-clock time of the transition days to its first instant, and each skipped one a jump later', () => {
    const show = (instant: number, zone: string) => DateTime.fromMillis(instant, { zone }).toFormat("yyyy-LL-dd'T'HH:mm");
    for (const [zone, day] of [
      [PARIS, '2026-03-29'],
      [PARIS, '2026-10-25'],
      ['America/New_York', '2026-03-08'],
      ['America/New_York', '2026-11-01'],
      ['Australia/Lord_Howe', '2026-04-05'],
      ['Australia/Lord_Howe', '2026-10-04'],
    ] as const) {
      let shifted = 0;
      for (let minute = 0; minute < 24 * 60; minute += 5) {
        const wall = DateTime.fromISO(`${day}T00:00`, { zone: 'utc' }).plus({ minutes: minute });
        const instant = resolveWallClock({ year: wall.year, month: wall.month, day: wall.day, hour: wall.hour, minute: wall.minute, second: 0, millisecond: 0 }, zone);
        const wanted = wall.toFormat("yyyy-LL-dd'T'HH:mm");
        if (show(instant, zone) === wanted) {
          // The first of the instants showing it: none 30 or 60 minutes earlier shows it too.
          expect([show(instant - 30 * 60_000, zone), show(instant - 60 * 60_000, zone)]).not.toContain(wanted);
        } else {
          shifted += 1;
          const jump = DateTime.fromMillis(instant, { zone }).offset - DateTime.fromMillis(instant - 86_400_000, { zone }).offset;
          expect(jump).toBeGreaterThan(0);
          expect(show(instant, zone)).toBe(wall.plus({ minutes: jump }).toFormat("yyyy-LL-dd'T'HH:mm"));
        }
      }
      // Spring-forward days skip a whole jump's worth of times; fall-back days skip none.
      const springForward = DateTime.fromISO(`${day}T12:00`, { zone }).offset > DateTime.fromISO(`${day}T00:00`, { zone }).offset;
      expect(shifted > 0).toBe(springForward);
    }
  });

  it('sorts reminders by time and names them stably', () => {
    const { reminders } = times({ startsAt: '2026-05-12T10:00:30', timeZone: PARIS, reminders: [{ beforeMinutes: 90 }, { daysBefore: 2, at: '09:15:30' }, { before: 'PT30S' }, { daysBefore: 0, at: '08:00' }] });
    expect(reminders.map((r) => [r.key, r.rule, r.localSendAt])).toEqual([
      ['day-2-at-09:15:30', '2 days before at 09:15:30', '2026-05-10T09:15:30+02:00'],
      ['day-0-at-08:00', 'the same day at 08:00', '2026-05-12T08:00:00+02:00'],
      ['before-1h30m', '1h30m before', '2026-05-12T08:30:30+02:00'],
      ['before-30s', '30s before', '2026-05-12T10:00:00+02:00'],
    ]);
  });

  it('refuses what it cannot compute, pointing at the field', () => {
    const base = { startsAt: '2026-05-12T10:00', timeZone: PARIS, reminders: [{ before: 'PT1H' }] };
    expect(failure({ ...base, timeZone: 'Mars/Olympus' }).path).toEqual(['timeZone']);
    expect(failure({ ...base, timeZone: '+01:00' }).path).toEqual(['timeZone']);
    expect(failure({ ...base, startsAt: '2026-02-30T10:00' }).path).toEqual(['startsAt']);
    expect(failure({ ...base, startsAt: '2026-05-12T10:00+02:00' }).path).toEqual(['startsAt']);
    expect(failure({ ...base, startsAt: '2026-05-12T24:00' }).path).toEqual(['startsAt']);
    expect(failure({ ...base, reminders: [{ before: 'P1M' }] })).toEqual({ path: ['reminders', 0, 'before'], message: expect.stringContaining('months') });
    expect(failure({ ...base, reminders: [{ before: 'soon' }] }).path).toEqual(['reminders', 0, 'before']);
    expect(failure({ ...base, reminders: [{ before: 'PT0S' }] }).path).toEqual(['reminders', 0]);
    expect(failure({ ...base, reminders: [{ beforeMinutes: -5 }] }).path).toEqual(['reminders', 0]);
    expect(failure({ ...base, reminders: [{ daysBefore: 0, at: '10:00' }] })).toEqual({ path: ['reminders', 0], message: expect.stringContaining('at or after the appointment') });
    expect(failure({ ...base, reminders: [{ daysBefore: 1, at: '25:00' }] }).path).toEqual(['reminders', 0, 'at']);
    expect(failure({ ...base, reminders: [{ before: 'PT24H' }, { before: 'P1D' }] })).toEqual({ path: ['reminders', 1], message: expect.stringContaining('reminders[0]') });
    expect(failure({ ...base, reminders: [{ before: 'P400D' }] }).path).toEqual(['reminders', 0]);
  });

  it('takes IANA region zones and UTC, never a fixed offset such as Etc/GMT+5', () => {
    for (const zone of ['Europe/Paris', 'America/Argentina/Buenos_Aires', 'Asia/Kolkata', 'UTC']) expect({ zone, ok: isValidTimeZone(zone) }).toEqual({ zone, ok: true });
    // Etc/GMT+5 is UTC-5 all year: reminders would be an hour off in summer (and its sign is POSIX's, reversed).
    for (const zone of ['Etc/GMT+5', 'Etc/GMT-2', 'etc/gmt+5', 'Etc/UTC', 'EST', 'CET', 'GMT', '+01:00', 'Europe/Atlantis']) {
      expect({ zone, ok: isValidTimeZone(zone) }).toEqual({ zone, ok: false });
    }
    const base = { startsAt: '2026-05-12T10:00', reminders: [{ before: 'PT1H' }] };
    expect(failure({ ...base, timeZone: 'Etc/GMT+5' })).toEqual({ path: ['timeZone'], message: expect.stringContaining('fixed offsets such as Etc/GMT+5') });
  });

  it('refuses an appointment that starts at or before `now`, when asked to', () => {
    const input = { startsAt: '2026-05-12T10:00', timeZone: PARIS, reminders: [{ before: 'PT1H' }] };
    const start = Date.parse('2026-05-12T08:00:00Z');
    expect(failure(input, { now: start + 1 })).toEqual({ path: ['startsAt'], message: 'is in the past (2026-05-12T10:00:00+02:00); an appointment must start in the future' });
    expect(failure(input, { now: start }).path).toEqual(['startsAt']);
    expect(computeReminderTimes(input, { now: start - 1 }).startsAt).toBe('2026-05-12T08:00:00.000Z');
    // Without `now` (plans, these tests) times are computed whatever the clock says.
    expect(computeReminderTimes(input).startsAt).toBe('2026-05-12T08:00:00.000Z');
  });

  it('renders an instant in its zone', () => {
    expect(localIso(Date.parse('2026-03-29T16:00:00Z'), PARIS)).toBe('2026-03-29T18:00:00+02:00');
    expect(localIso(Date.parse('2026-01-15T16:00:00.250Z'), 'America/New_York')).toBe('2026-01-15T11:00:00.250-05:00');
  });
});
