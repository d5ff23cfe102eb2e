import { readFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { ROOT } from '../paths';

/** Length per OWASP ASVS: at least 8, at most 128 (argon2 has no 72-byte cap, but a bound stops abuse). */
export const PASSWORD_MIN = 8;
export const PASSWORD_MAX = 128;

let common: Set<string> | null = null;
function commonPasswords(): Set<string> {
  if (!common) {
    // From the project's sources, as the messages are read (i18n): `npm start` runs a transpile in .run/, which holds
    // JavaScript only.
    const text = readFileSync(path.join(ROOT, 'src', 'auth', 'common-passwords.txt'), 'utf8');
    common = new Set(
      text
        .split('\n')
        .map((l) => l.trim().toLowerCase())
        .filter((l) => l && !l.startsWith('#')),
    );
  }
  return common;
}

export function isCommonPassword(password: string): boolean {
  return commonPasswords().has(password.trim().toLowerCase());
}

/** A new password (registration, change): length, not on the common list. Checked against the username separately. */
export const NewPassword = z
  .string({ message: 'validation.required' })
  .min(1, 'validation.required')
  .min(PASSWORD_MIN, 'validation.password_length')
  .max(PASSWORD_MAX, 'validation.password_length')
  .refine((p) => !isCommonPassword(p), 'validation.password_common');

/** The password may not be the username (any case); add to a schema with both fields. */
export function passwordNotUsername(v: { username: string; password: string }, ctx: z.RefinementCtx): void {
  if (v.password.trim().toLowerCase() === v.username.trim().toLowerCase()) {
    ctx.addIssue({ code: 'custom', path: ['password'], message: 'validation.password_username' });
  }
}
