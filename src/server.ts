import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import pino from 'pino';
import { createMarketplace } from './app';
import { ConfigError, loadConfig } from './config';
import { createDb, migrateLatest } from './db';
import { loadDemoDataIfEmpty } from '../seeds/demo';
import { CertificationService } from './certification/service';

/** Standalone entry: config → db → migrate → (demo data) → listen, and print the URL. */
async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig(process.env, { demoData: true });
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\n`);
      process.exit(1);
    }
    throw err;
  }
  const log = pino({ level: config.logLevel });
  const db = createDb(config.databaseUrl);
  await migrateLatest(db);
  const app = createMarketplace({ db, config, logger: log });
  if (config.demoData) {
    const loaded = await loadDemoDataIfEmpty(db, app.deps.clock, log);
    if (loaded) log.info('demo data loaded');
  }
  // Certificates whose end date has passed are marked expired (and their listings delisted) at start and hourly.
  // Idempotent, so every instance behind a load balancer may run it.
  const certs = new CertificationService(db, app.deps.clock);
  const expire = () =>
    certs.expireOverdue(null).then(
      (r) => r.expired && log.info(r, 'expired overdue certificates'),
      (err: unknown) => log.error({ err }, 'expiring overdue certificates failed'),
    );
  await expire();
  setInterval(() => void expire(), 60 * 60 * 1000).unref();
  const server: Server = app.listen(config.port, config.host);
  await new Promise<void>((resolve, reject) => {
    server.once('listening', resolve);
    server.once('error', reject);
  });
  const { port } = server.address() as AddressInfo;
  process.stdout.write(`Listening on http://localhost:${port}\n`);
  const stop = (signal: string) => {
    log.info({ signal }, 'shutting down');
    server.close(() => {
      void db.destroy().finally(() => process.exit(0));
    });
    setTimeout(() => process.exit(0), 5000).unref();
  };
  process.once('SIGTERM', () => stop('SIGTERM'));
  process.once('SIGINT', () => stop('SIGINT'));
}

main().catch((err: unknown) => {
  const e = err as { code?: string; message?: string };
  process.stderr.write(`failed to start: ${e?.code ? `${e.code} ` : ''}${e?.message ?? String(err)}\n`);
  process.exit(1);
});
