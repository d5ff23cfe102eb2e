import type { Logger } from 'pino';
import type { Locale, Translator } from '../i18n';

/**
 * `admin` is the provincial department (经信); `finance` the finance department (财政部门); `expert` a member of the
 * expert pool (专家库) who reviews the certification applications drawn to them.
 */
export type Role = 'purchaser' | 'vendor' | 'admin' | 'finance' | 'expert';

/** The authenticated caller, whichever way they arrived (session, bearer token or the host's identity). */
export interface Actor {
  id: number;
  username: string;
  role: Role;
  displayName: string;
  purchaserId: number | null;
  vendorId: number | null;
}

export interface AppState {
  requestId: string;
  log: Logger;
  locale: Locale;
  t: Translator;
  actor: Actor | null;
  /** How the actor authenticated: bearer requests need no CSRF token. */
  authVia: 'session' | 'bearer' | 'host' | null;
  session: SessionData | null;
  csrfToken: string;
  base: string;
  render: (view: string, model?: Record<string, unknown>) => string;
  input: unknown;
}

export interface SessionData {
  userId?: number;
  csrfSecret?: string;
  createdAt?: string;
  flash?: string;
  cart?: Array<{ productId: number; quantity: number }>;
}
