import type { Logger } from 'pino';
import { isClosing, type Db } from '../db';

/** How long a readiness probe waits for the database before it says "unavailable". */
export const READY_TIMEOUT_MS = 2000;

/**
 * Readiness: the database answers, and every migration this code knows is applied. The migration files are listed
 * once, through knex (`migrate.list`), when a probe first finds them all applied; after that a probe is one query for
 * the applied names. Concurrent probes share one check. A change of answer is logged (warn), a probe is not.
 */
export class Readiness {
  private known: string[] | null = null;
  private pending: Promise<string | null> | null = null;
  private lastReason: string | null = null;

  constructor(
    private readonly db: Db,
    private readonly log: Logger,
    private readonly timeoutMs = READY_TIMEOUT_MS,
  ) {}

  /** null when ready, else why not (a short reason, safe to show to anyone). */
  check(): Promise<string | null> {
    this.pending ??= this.run().finally(() => {
      this.pending = null;
    });
    return this.pending;
  }

  private async run(): Promise<string | null> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<string>((resolve) => {
      timer = setTimeout(() => resolve(`database did not answer within ${this.timeoutMs} ms`), this.timeoutMs);
    });
    let reason: string | null;
    try {
      reason = await Promise.race([this.migrationsApplied(), timeout]);
    } catch (err) {
      reason = 'database unreachable';
      if (this.lastReason !== reason) this.log.warn({ err }, 'readiness: database unreachable');
    } finally {
      clearTimeout(timer);
    }
    if (reason !== this.lastReason) {
      if (reason) this.log.warn({ reason }, 'not ready');
      else if (this.lastReason) this.log.info('ready again');
      this.lastReason = reason;
    }
    return reason;
  }

  private async migrationsApplied(): Promise<string | null> {
    if (isClosing(this.db)) return 'database closed';
    const table = this.db.client.config.migrations?.tableName ?? 'knex_migrations';
    if (!this.known) {
      // knex's list would create its tables on a database never migrated: a probe writes nothing.
      if (!(await this.db.schema.hasTable(table))) return 'database not migrated';
      // Migrations this code does not know (a newer release's) do not make it unready: its own are what it needs.
      const [done, todo] = (await this.db.migrate.list({ disableMigrationsListValidation: true })) as [Array<{ name: string }>, unknown[]];
      if (todo.length) return `migrations pending: ${todo.length}`;
      this.known = done.map((m) => m.name);
      return null;
    }
    const applied = new Set<string>(await this.db(table).pluck('name'));
    const missing = this.known.filter((name) => !applied.has(name)).length;
    if (missing) {
      this.known = null;
      return `migrations pending: ${missing}`;
    }
    return null;
  }
}
