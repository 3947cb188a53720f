/** Mainland mobile numbers: 11 digits starting 1[3-9]; `+86`, `0086`, spaces and dashes are accepted and dropped. */
export function normalizePhone(input: string): string | undefined {
  let digits = input.replace(/[\s-]/g, '');
  if (digits.startsWith('+86')) digits = digits.slice(3);
  else if (digits.startsWith('0086')) digits = digits.slice(4);
  else if (digits.length === 13 && digits.startsWith('86')) digits = digits.slice(2);
  return /^1[3-9]\d{9}$/.test(digits) ? digits : undefined;
}

/** `13812341234` → `138****1234`. */
export function maskPhone(phone: string): string {
  return `${phone.slice(0, 3)}****${phone.slice(7)}`;
}
