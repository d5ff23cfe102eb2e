import pino from 'pino';
import request from 'supertest';
import { createMarketplace, type Marketplace, type MarketplaceOptions } from '../../src/app';
import { FakeClock } from '../../src/clock';
import type { Db } from '../../src/db';

export interface TestApp {
  app: Marketplace;
  clock: FakeClock;
  http: ReturnType<typeof request>;
}

/** The plugin over a test database, with a settable clock and silent logs. */
export function testApp(db: Db, options: Partial<MarketplaceOptions> = {}): TestApp {
  const clock = new FakeClock();
  const app = createMarketplace({
    db,
    clock,
    logger: pino({ level: 'silent' }),
    config: { env: 'test', fakeClock: true, logLevel: 'silent' },
    ...options,
  });
  return { app, clock, http: request(app.callback()) };
}

/** Logs in through the token endpoint and returns the Authorization header value. */
export async function bearer(http: ReturnType<typeof request>, username: string, password = 'demo-password'): Promise<string> {
  const res = await http.post('/api/v1/auth/token').send({ username, password });
  if (res.status !== 200) throw new Error(`login ${username} failed: ${res.status} ${JSON.stringify(res.body)}`);
  return `Bearer ${res.body.token as string}`;
}
