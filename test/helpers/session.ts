import request from 'supertest';
import type { Marketplace } from '../../src/app';
import { SESSION_COOKIE } from '../../src/web/session';
import { DEMO_PASSWORD } from './factories';
import { decodeEntities } from './html';

export type Agent = ReturnType<typeof request.agent>;

/** The `_csrf` value of the first form on a page. */
export function csrfOf(html: string): string {
  const m = /name="_csrf" value="([^"]+)"/.exec(html);
  if (!m) throw new Error('no CSRF field on the page');
  return decodeEntities(m[1]);
}

/** The session cookie's value from a response's Set-Cookie headers ('' when cleared, null when not set). */
export function sessionCookie(res: { headers: Record<string, unknown> }): string | null {
  const raw = res.headers['set-cookie'];
  const list = Array.isArray(raw) ? (raw as string[]) : typeof raw === 'string' ? [raw] : [];
  for (const c of list) {
    const m = new RegExp(`^${SESSION_COOKIE}=([^;]*)`).exec(c);
    if (m) return m[1];
  }
  return null;
}

/** A cookie-keeping browser stand-in. */
export const agentFor = (app: Marketplace): Agent => request.agent(app.callback());

/** Logs in through the login form (as a person does) and returns the agent holding the session cookie. */
export async function loginAgent(app: Marketplace, username: string, password = DEMO_PASSWORD): Promise<Agent> {
  const agent = agentFor(app);
  const page = await agent.get('/login');
  const res = await agent.post('/login').type('form').send({ username, password, _csrf: csrfOf(page.text) });
  if (res.status !== 302) throw new Error(`login ${username} failed: ${res.status}`);
  return agent;
}

/** A fresh CSRF token for the agent's session (from a page that has a form). */
export async function csrfFor(agent: Agent, path = '/login'): Promise<string> {
  return csrfOf((await agent.get(path)).text);
}
