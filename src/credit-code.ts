/**
 * 统一社会信用代码 (Unified Social Credit Identifier), GB 32100-2015: 18 characters from a 31-character alphabet
 * (no I, O, S, V, Z); positions 3–8 are the administrative division code; the last is a check character.
 */
const ALPHABET = '0123456789ABCDEFGHJKLMNPQRTUWXY';
const WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];
const SHAPE = /^[0-9A-HJ-NPQRTUWXY]{2}\d{6}[0-9A-HJ-NPQRTUWXY]{10}$/;

export function creditCodeCheckChar(first17: string): string {
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += ALPHABET.indexOf(first17[i]) * WEIGHTS[i];
  return ALPHABET[(31 - (sum % 31)) % 31];
}

export function isValidCreditCode(code: unknown): code is string {
  if (typeof code !== 'string' || !SHAPE.test(code)) return false;
  return creditCodeCheckChar(code.slice(0, 17)) === code[17];
}

/** Completes 17 characters with their check character. */
export function withCheckChar(first17: string): string {
  if (first17.length !== 17 || ![...first17].every((c) => ALPHABET.includes(c))) throw new Error('need 17 valid characters');
  return first17 + creditCodeCheckChar(first17);
}
