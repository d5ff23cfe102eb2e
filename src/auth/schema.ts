import { z } from 'zod';

export const Credentials = z.object({
  username: z.string({ message: 'validation.required' }).trim().min(1, 'validation.required').max(64, 'validation.too_long'),
  password: z.string({ message: 'validation.required' }).min(1, 'validation.required').max(128, 'validation.too_long'),
});
export type Credentials = z.infer<typeof Credentials>;

export const LoginForm = Credentials.extend({ next: z.string().max(500).optional() });
