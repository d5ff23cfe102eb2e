import { z } from 'zod';
import { MAX_NEXT } from '../web';
import { NewPassword } from './password-rules';

export const Credentials = z.object({
  username: z.string({ message: 'validation.required' }).trim().min(1, 'validation.required').max(64, 'validation.too_long'),
  password: z.string({ message: 'validation.required' }).min(1, 'validation.required').max(128, 'validation.too_long'),
});
export type Credentials = z.infer<typeof Credentials>;

/** Where to go after login: a `next` longer than any address we send there is ignored, never a refused login. */
export const LoginForm = Credentials.extend({
  next: z
    .string()
    .optional()
    .transform((v) => (v !== undefined && v.length <= MAX_NEXT ? v : undefined)),
});

/** Changing one's own password: the current one, and a new one that passes the rules and differs from it. */
export const PasswordChange = z
  .object({
    currentPassword: z.string({ message: 'validation.required' }).min(1, 'validation.required').max(128, 'validation.too_long'),
    newPassword: NewPassword,
  })
  .refine((v) => v.newPassword !== v.currentPassword, { message: 'validation.password_unchanged', path: ['newPassword'] });
export type PasswordChange = z.infer<typeof PasswordChange>;
