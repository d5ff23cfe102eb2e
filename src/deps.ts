import type { Logger } from 'pino';
import type { Clock, FakeClock } from './clock';
import type { Config } from './config';
import type { Db } from './db';
import type { Services } from './services';
import type { Views } from './web';

/** What every module's routes and services are built from: one object, made once per app. */
export interface Deps {
  db: Db;
  clock: Clock;
  fakeClock: FakeClock | null;
  config: Config;
  log: Logger;
  views: Views;
  /** Every service, built once per app (src/services.ts). */
  services: Services;
}
