import { invalidField } from './errors.js';

export function isValidTimezone(timezone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: timezone });
    return true;
  } catch {
    return false;
  }
}

export function assertTimezone(timezone: string, field = 'timezone'): void {
  if (!isValidTimezone(timezone)) throw invalidField(field, 'is not an IANA time zone such as Asia/Shanghai');
}

/** The IANA name as ICU spells it (`asia/shanghai` → `Asia/Shanghai`), so stored zones compare equal; 422 when unknown. */
export function canonicalTimezone(timezone: string, field = 'timezone'): string {
  assertTimezone(timezone, field);
  return new Intl.DateTimeFormat('en-US', { timeZone: timezone }).resolvedOptions().timeZone;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatDate(timezone: string, instant: Date): string {
  let formatter = formatters.get(timezone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat('en-CA', { timeZone: timezone, year: 'numeric', month: '2-digit', day: '2-digit' });
    formatters.set(timezone, formatter);
  }
  return formatter.format(instant);
}

const MINUTE_MS = 60_000;
/** Today's date per time zone, as of `minute` (ICU's formatting was ~2% of a recorded entry's CPU). */
const today = { minute: -1, dates: new Map<string, string>() };

/**
 * The calendar date (YYYY-MM-DD) that `instant` (now, by default) falls on in `timezone`. Today's
 * is worked out once a minute: every zone's offset from UTC is a whole number of minutes, so
 * midnight anywhere falls on a minute's start and a date kept for that minute is never stale.
 */
export function dateIn(timezone: string, instant?: Date): string {
  if (instant) return formatDate(timezone, instant);
  const now = Date.now();
  const minute = Math.floor(now / MINUTE_MS);
  if (minute !== today.minute) {
    today.minute = minute;
    today.dates.clear();
  }
  let date = today.dates.get(timezone);
  if (!date) today.dates.set(timezone, (date = formatDate(timezone, new Date(now))));
  return date;
}

/**
 * The UTC midnight of a real calendar date in YYYY-MM-DD, year 0001 to 9999, or undefined: there
 * is no year 0 (PostgreSQL refuses 0000-01-01), and the `date` format alone accepts 2026-02-30
 * in some validators.
 */
export function calendarDay(value: string): Date | undefined {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  if (!match) return undefined;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const date = new Date(0);
  date.setUTCFullYear(year, month - 1, day); // Date.UTC would read years 0–99 as 1900–1999
  return year >= 1 && date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day ? date : undefined;
}

/** Whether `value` is a real calendar date (see calendarDay). */
export const isCalendarDate = (value: string): boolean => calendarDay(value) !== undefined;
