/**
 * `npm run ledger:verify`: checks the books of the database the app uses (DATABASE_URL, same default as the app) —
 * the hash chain of transfers, balances recomputed from the transfers, the sum of all balances zero, no budget below
 * zero — prints the report as JSON and exits 1 when anything is wrong (naming the first bad transfer).
 */
import { SystemClock } from '../src/clock';
import { createDb } from '../src/db';
import { Ledger } from '../src/ledger/service';
import { cliDatabaseUrl } from './cli-db';

async function main(): Promise<number> {
  const databaseUrl = cliDatabaseUrl();
  if (databaseUrl === null) return 2;
  const db = createDb(databaseUrl);
  try {
    const report = await new Ledger(new SystemClock()).verify(db);
    console.log(JSON.stringify(report, null, 2));
    if (!report.ok) {
      const reasons = [
        !report.chainIntact && `the hash chain breaks at transfer ${report.firstBadTransfer}`,
        !report.balancesMatch && 'stored balances differ from the transfers',
        !report.balanced && 'balances do not sum to zero',
        !report.nonNegative && 'an account other than the treasury is below zero',
      ].filter(Boolean);
      console.error(`ledger verification FAILED: ${reasons.join('; ')}`);
      return 1;
    }
    console.error(`ledger verified: ${report.transfers} transfers, balanced, chain intact`);
    return 0;
  } finally {
    await db.destroy();
  }
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(`ledger verification could not run: ${(err as Error)?.message ?? String(err)}`);
    process.exit(2);
  },
);
