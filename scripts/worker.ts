/**
 * `npm run worker`: the webhook deliveries on their own (src/integration/worker.ts), for a deployment that runs the
 * server with WEBHOOK_WORKER=0. Several may run beside each other and beside servers: on PostgreSQL each claims the
 * webhooks no other holds (FOR UPDATE SKIP LOCKED and a lease). SIGTERM / SIGINT finish the round under way, then exit.
 */
import pino from 'pino';
import { FakeClock, SystemClock } from '../src/clock';
import { ConfigError, loadConfig } from '../src/config';
import { createDb, migrateLatest } from '../src/db';
import { WebhookWorker } from '../src/integration';

async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig(process.env, { demoData: false });
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(err.message);
      process.exit(1);
    }
    throw err;
  }
  const log = pino({ level: config.logLevel });
  const db = createDb(config.databaseUrl);
  await migrateLatest(db);
  const worker = new WebhookWorker(db, config.fakeClock ? new FakeClock() : new SystemClock(), log, { production: config.env === 'production' });
  worker.start(Number(process.env.WEBHOOK_INTERVAL_MS ?? 1000));
  log.info('webhook worker started');
  const stop = (signal: string) => {
    log.info({ signal }, 'webhook worker stopping');
    void worker
      .stop()
      .then(() => db.destroy())
      .then(
        () => process.exit(0),
        (err: unknown) => {
          log.error({ err }, 'webhook worker stop failed');
          process.exit(1);
        },
      );
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

main().catch((err: unknown) => {
  console.error(`webhook worker failed to start: ${(err as Error)?.message ?? String(err)}`);
  process.exit(1);
});
