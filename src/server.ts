import type { Server } from 'node:http';
import { Server as NetServer, type AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import type { Marketplace } from './app';
import { ConfigError, loadConfig } from './config';
import type { Db } from './db';
import { answerClientErrors } from './web';
import { loadDemoDataInWorker, loadableInWorker } from '../seeds/lib/load-in-worker';

/** Standalone entry: config → (the demo loader's worker: migrate, demo data) beside the app's build → listen, and print the URL. */
async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig(process.env, { demoData: true, metrics: true });
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\n`);
      process.exit(1);
    }
    throw err;
  }
  // The demo data loads in a worker thread (seeds/lib/load-in-worker.ts: what the load takes of memory goes with it),
  // which also runs the migrations. It is started before anything else, so that on a first start its loading of
  // modules, the migrations and the load overlap with this thread loading its modules and building the app; the
  // modules below are therefore imported only now.
  const inWorker = config.demoData && loadableInWorker(config.databaseUrl) ? loadDemoDataInWorker(config.databaseUrl, config.logLevel) : null;
  // Under a high allocation rate V8 lets the heap grow to about four times what a full collection leaves live: most of
  // the resident memory under load was that room (src/ops/heap-growth.ts, docs/benchmarks-history.md).
  if (config.heapGrowthPercent > 0) (await import('./ops')).boundHeapGrowth(config.heapGrowthPercent);
  const [{ default: pino }, { collectDefaultMetrics }, { createDb, groupCommitLoad, migrateLatest }] = await Promise.all([import('pino'), import('prom-client'), import('./db')]);
  const log = pino({ level: config.logLevel });
  const db = createDb(config.databaseUrl);
  const migrated = inWorker ? inWorker.migrated : migrateLatest(db);
  migrated.catch(() => undefined); // awaited below; not an unhandled rejection meanwhile
  const { createMarketplace } = await import('./app');
  await migrated;
  // The webhook deliveries run in this process unless WEBHOOK_WORKER=0 (then `npm run worker` runs them).
  const app = createMarketplace({ db, config, logger: log, worker: process.env.WEBHOOK_WORKER !== '0' });
  if (app.ops.metrics) collectDefaultMetrics({ register: app.ops.metrics.registry });
  if (config.demoData) {
    const loaded = inWorker ? await inWorker.loaded : await (await import('../seeds/demo')).loadDemoDataIfEmpty(db, app.deps.clock, log);
    if (loaded) log.info('demo data loaded');
  }
  // Certificates whose end date has passed are marked expired (and their listings delisted) at start and hourly.
  // Idempotent, so every instance behind a load balancer may run it.
  const certs = app.deps.services.certification;
  let expiring: Promise<unknown> = Promise.resolve();
  const expire = () =>
    (expiring = certs.expireOverdue(null).then(
      (r) => r.expired && log.info(r, 'expired overdue certificates'),
      (err: unknown) => log.error({ err }, 'expiring overdue certificates failed'),
    ));
  await expire();
  const hourly = setInterval(() => void expire(), 60 * 60 * 1000).unref();
  const server: Server = app.listen(config.port, config.host);
  answerClientErrors(server);
  await new Promise<void>((resolve, reject) => {
    server.once('listening', resolve);
    server.once('error', reject);
  });
  const { port } = server.address() as AddressInfo;
  process.stdout.write(`Listening on http://localhost:${port}\n`);
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) {
      log.warn({ signal, inFlight: app.ops.inFlight }, 'second signal while draining: exiting at once');
      process.exit(1);
    }
    stopping = true;
    clearInterval(hourly);
    // Past the deadline, whatever is still running is abandoned (its transaction is rolled back by the database).
    setTimeout(() => {
      log.error({ inFlight: app.ops.inFlight, waiting: groupCommitLoad().waiting, timeoutMs: config.shutdownTimeoutMs }, 'shutdown deadline passed with work unfinished: exiting 1');
      process.exit(1);
    }, config.shutdownTimeoutMs);
    log.info({ signal, inFlight: app.ops.inFlight, timeoutMs: config.shutdownTimeoutMs }, 'shutting down: draining');
    void drain(server, app, db, expiring, log, groupCommitLoad).then(
      () => {
        log.info('shut down');
        process.exit(0);
      },
      (err: unknown) => {
        log.error({ err }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Graceful shutdown: /readyz answers 503 and every answer closes its connection; no new connection is accepted (idle
 * keep-alive ones are closed); requests in flight finish, and with them the group-commit batches their payments wait
 * in (a payment is answered only once its batch has committed); the certificate expiry run and the webhook
 * worker's round finish; then the
 * database is closed. Only then: closing the pool first would refuse the payments still queued (QueueClosed).
 */
async function drain(server: Server, app: Marketplace, db: Db, expiring: Promise<unknown>, log: Logger, groupCommitLoad: () => { waiting: number; busy: number }): Promise<void> {
  app.ops.drain();
  // Connections the kernel has already completed are accepted first: closing the listener would reset them.
  await new Promise((resolve) => setImmediate(resolve));
  // Stop listening but keep every open connection (http's close() would at once drop those not yet read from, and a
  // client that had just sent its request would see a reset). Each answer now ends its connection; a connection
  // with no request under way is closed on the next tick of this timer.
  const closed = new Promise<void>((resolve) => NetServer.prototype.close.call(server, () => resolve()));
  const idle = setInterval(() => server.closeIdleConnections(), 100);
  await closed;
  clearInterval(idle);
  while (app.ops.inFlight > 0 || groupCommitLoad().waiting + groupCommitLoad().busy > 0) await sleep(20);
  await expiring;
  // The webhook round under way finishes (a delivery it sent is recorded; one it did not is sent again later).
  await app.worker.stop();
  log.debug('requests drained; closing the database');
  await db.destroy();
}

main().catch((err: unknown) => {
  const e = err as { code?: string; message?: string };
  process.stderr.write(`failed to start: ${e?.code ? `${e.code} ` : ''}${e?.message ?? String(err)}\n`);
  process.exit(1);
});
