/**
 * `npm run restore -- <backup-file>`: replaces the database the app uses (DATABASE_URL, same default as the app) with a
 * backup made by `npm run backup`, then runs the ledger and audit-chain verifications on the result. SQLite: the
 * backup is copied beside the database and checked first, and swapped in only if nothing has the database open (stop
 * the server first); PostgreSQL: `pg_restore --clean --if-exists` in one transaction. A backup that cannot be
 * restored leaves the database as it was. Exit 0 when restored and verified, 1 otherwise, 2 for wrong usage.
 */
import { BackupError, describeChains, redactUrl, restoreDatabase } from '../src/ops/backup';
import { cliDatabaseUrl } from './cli-db';

const USAGE = 'usage: npm run restore -- <backup-file>   (restores into the database DATABASE_URL names, replacing it)';

async function main(args: string[]): Promise<number> {
  if (args.length !== 1 || args[0].startsWith('-')) {
    console.error(USAGE);
    return 2;
  }
  const databaseUrl = cliDatabaseUrl();
  if (databaseUrl === null) return 2;
  const started = Date.now();
  const result = await restoreDatabase(databaseUrl, args[0]);
  console.log(JSON.stringify({ file: result.file, target: result.target, ms: Date.now() - started, verify: result.verify }, null, 2));
  if (!result.verify.ok) {
    console.error(`restored ${result.file} into ${redactUrl(databaseUrl)}, but the result does not verify: ${describeChains(result.verify)}`);
    return 1;
  }
  console.error(`restored ${result.file} into ${redactUrl(databaseUrl)}; ${describeChains(result.verify)}`);
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err instanceof BackupError ? `restore failed: ${err.message}` : `restore could not run: ${(err as Error)?.message ?? String(err)}`);
    process.exit(1);
  },
);
