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

/** PostgreSQL's text for a timestamptz in DateStyle ISO: 2026-12-08 00:58:38.123456+00, +05:30, -03:00:00 or … BC. */
const PG_TIMESTAMPTZ = /^(\d{4,})-(\d\d)-(\d\d) (\d\d):(\d\d):(\d\d)(?:\.(\d{1,6}))?([+-])(\d\d)(?::(\d\d))?(?::(\d\d))?( BC)?$/;

/**
 * The instant PostgreSQL writes as timestamptz text, as `toISOString` writes it (UTC, truncated to
 * the millisecond, as a Date built from the same text holds it). In a UTC session that is a
 * rearrangement of the text; any other session time zone is read in full.
 */
export function isoFromTimestamptzText(text: string): string {
  if (text.length <= 29 && text.endsWith('+00') && text.charCodeAt(10) === 32 && text.charCodeAt(4) === 45) {
    const fraction = text.charCodeAt(19) === 46 ? text.slice(20, Math.min(23, text.length - 3)) : '';
    return `${text.slice(0, 10)}T${text.slice(11, 19)}.${fraction.padEnd(3, '0')}Z`;
  }
  const m = PG_TIMESTAMPTZ.exec(text);
  if (!m) throw new Error(`not a timestamptz in DateStyle ISO: ${text}`);
  const [, year, month, day, hour, minute, second, fraction = '', sign, offsetHours, offsetMinutes = '0', offsetSeconds = '0', bc] = m;
  const instant = new Date(0);
  // setUTCFullYear, not Date.UTC: Date.UTC reads years 0–99 as 1900–1999.
  instant.setUTCFullYear(bc ? 1 - Number(year) : Number(year), Number(month) - 1, Number(day));
  instant.setUTCHours(Number(hour), Number(minute), Number(second), Number(fraction.slice(0, 3).padEnd(3, '0')));
  const offsetMs = (Number(offsetHours) * 3600 + Number(offsetMinutes) * 60 + Number(offsetSeconds)) * 1000;
  return new Date(instant.getTime() - (sign === '-' ? -offsetMs : offsetMs)).toISOString();
}
