/**
 * `npm run backup [-- <target-file>]`: a consistent backup of the database the app uses (DATABASE_URL, same default as
 * the app), safe while the server runs — SQLite by `VACUUM INTO`, PostgreSQL by `pg_dump -Fc` — to a new file
 * (default `backups/<UTC timestamp>.sqlite3` or `.dump`), then the ledger and audit-chain verifications of what the
 * backup holds. Exit 0 when written and verified, 1 when the backup failed or does not verify, 2 for wrong usage.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { BackupError, backupDatabase, defaultBackupPath, describeChains } from '../src/ops/backup';
import { cliDatabaseUrl } from './cli-db';

const USAGE = 'usage: npm run backup [-- <target-file>]   (DATABASE_URL names the database; default target backups/<timestamp>)';

async function main(args: string[]): Promise<number> {
  if (args.length > 1 || args.some((a) => a.startsWith('-'))) {
    console.error(USAGE);
    return 2;
  }
  const databaseUrl = cliDatabaseUrl();
  if (databaseUrl === null) return 2;
  let target = args[0];
  if (target === undefined) {
    target = defaultBackupPath(databaseUrl);
    mkdirSync(path.dirname(target), { recursive: true });
  }
  const started = Date.now();
  const result = await backupDatabase(databaseUrl, target);
  console.log(JSON.stringify({ file: result.file, bytes: result.bytes, ms: Date.now() - started, verify: result.verify }, null, 2));
  if (!result.verify.ok) {
    console.error(`backup written to ${result.file}, but what it holds does not verify: ${describeChains(result.verify)}`);
    return 1;
  }
  console.error(`backup written to ${result.file} (${result.bytes} bytes); ${describeChains(result.verify)}`);
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err instanceof BackupError ? `backup failed: ${err.message}` : `backup could not run: ${(err as Error)?.message ?? String(err)}`);
    process.exit(1);
  },
);
