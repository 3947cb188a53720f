import { createHmac } from 'node:crypto';
import { dateIn, isCalendarDate } from './time.js';

const WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const CHECK_CHARACTERS = '10X98765432';

/** Resident ID numbers (GB 11643): 17 digits and a check character (0-9 or X) over them. */
export function idNumberCheckCharacter(first17: string): string {
  let sum = 0;
  for (let i = 0; i < 17; i += 1) sum += Number(first17[i]) * WEIGHTS[i]!;
  return CHECK_CHARACTERS[sum % 11]!;
}

export type IdNumberProblem = 'format' | 'check' | 'birth_date';

export interface ParsedIdNumber {
  normalized: string;
  birthDate: string;
}

export function parseIdNumber(input: string): ParsedIdNumber | IdNumberProblem {
  const normalized = input.trim().toUpperCase();
  if (!/^\d{17}[\dX]$/.test(normalized)) return 'format';
  if (idNumberCheckCharacter(normalized.slice(0, 17)) !== normalized[17]) return 'check';
  const birthDate = `${normalized.slice(6, 10)}-${normalized.slice(10, 12)}-${normalized.slice(12, 14)}`;
  if (!isCalendarDate(birthDate) || isFutureBirthDate(birthDate)) return 'birth_date';
  return { normalized, birthDate };
}

/**
 * Whether a birth date (YYYY-MM-DD) lies after today everywhere on Earth: it is compared with the
 * date in UTC+14, the first zone to reach a new day, so no community's "today" is ever refused.
 */
export function isFutureBirthDate(date: string, now: Date = new Date()): boolean {
  return date > dateIn('Etc/GMT-14', now);
}

/** Keyed, so a stolen table cannot be reversed by hashing every possible ID number without the key. */
export function hashIdNumber(normalized: string, key: string): string {
  return createHmac('sha256', key).update(normalized).digest('hex');
}
