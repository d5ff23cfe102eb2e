import { GENESIS_HASH, canonicalJson, chainHashOfJson, isPostgres, type Executor } from '../db';
import { startWorkerFile } from '../worker-file';
import type { TransferRow } from './repo';

/**
 * The long part of a ledger verify: walking the transfers in id order up to a cut, checking each link of the hash
 * chain and each amount, and summing every account's movements. Done in this thread for a small ledger, or in a
 * worker thread with its own connection for a large one (`walkInWorker`), so that hashing a million rows does not
 * hold up the requests and payments this thread serves meanwhile.
 */

/** What a walk found: how many transfers, the first bad one, and each account's net movement (fen, by account id). */
export interface Walk {
  count: number;
  firstBad?: number;
  computed: Map<number, number>;
}

/** What a transfer's hash covers (as written by the Ledger). */
export const hashContent = (t: Omit<TransferRow, 'id' | 'prev_hash' | 'hash'>) => ({
  debit: t.debit_account_id,
  credit: t.credit_account_id,
  amount: t.amount_fen,
  kind: t.kind,
  order: t.order_id,
  case: t.case_id,
  key: t.idempotency_key,
  actor: t.actor_id,
  at: t.created_at,
});

/** Transfer ids read per query: a page is every transfer with an id in (after, after + PAGE], at most PAGE of them. */
const PAGE = 1000;
/** Rows hashed between two turns of the event loop, when the walk shares its thread with requests. */
const YIELD_EVERY = 500;

/** The columns of a transfer as a page of the walk carries them, in this order. */
const COLUMNS = ['id', 'debit_account_id', 'credit_account_id', 'amount_fen', 'kind', 'order_id', 'case_id', 'idempotency_key', 'actor_id', 'created_at', 'prev_hash', 'hash'] as const;
type PageRow = [number, number, number, number, string, number | null, number | null, string, number | null, string, string, string];

/** A page of the walk: its rows and, where they were read as objects, each row's hashed text as the Ledger writes it. */
interface Page {
  rows: PageRow[];
  texts?: string[];
}

/**
 * SQLite: a row holding only the types the Ledger writes. SQLite keeps whatever value a column is given; JSON would
 * not carry every one faithfully (a REAL is written with 15 digits, a BLOB not at all), so a page with any other row
 * is read as objects instead, as the driver gives them.
 */
const SQLITE_PLAIN_ROW = [
  ...['id', 'debit_account_id', 'credit_account_id', 'amount_fen'].map((c) => `typeof(${c}) = 'integer'`),
  ...['order_id', 'case_id', 'actor_id'].map((c) => `typeof(${c}) IN ('integer', 'null')`),
  ...['kind', 'idempotency_key', 'created_at', 'prev_hash', 'hash'].map((c) => `typeof(${c}) = 'text'`),
].join(' AND ');

/** SQLite's page (`readPage`): the plain rows of ids in (?, ?] as one JSON array, and how many rows were not plain. */
const SQLITE_PAGE = `SELECT json_group_array(CASE WHEN ${SQLITE_PLAIN_ROW} THEN json_array(${COLUMNS.join(', ')}) END ORDER BY id) AS page, sum(CASE WHEN ${SQLITE_PLAIN_ROW} THEN 0 ELSE 1 END) AS odd FROM (SELECT * FROM ledger_transfers WHERE id > ? AND id <= ? ORDER BY id) t`;

/**
 * A page of transfers as arrays of column values, in id order.
 *
 * PostgreSQL: plain rows, which node-postgres hands over as arrays (`rowMode: 'array'`); its columns hold their
 * declared types, and the type parsers of src/db/connection.ts make the integers numbers. Building each page as JSON
 * in PostgreSQL instead (`json_agg(json_build_array(…))`, as before) cost the server 7.4 s of CPU per million rows
 * against 1.7 s for plain rows, more than Node saves parsing one string (3.5 s against 4.1 s): on two cores both were
 * busy and a verify of a million took 11–15 s (docs/benchmarks.md).
 *
 * SQLite: one JSON array of arrays, made by the database: the sqlite3 driver turns each row of a result into an object
 * property by property in native code (about half of a verify's time, measured), where JSON.parse builds the same
 * values several times faster. SQLite keeps whatever value a column is given, and JSON would not carry every one
 * faithfully, so a page with a row of other types (`SQLITE_PLAIN_ROW`: only tampering makes one) is read again as
 * objects and hashed as the Ledger hashes, so that the verdict is the same as reading every page that way.
 *
 * A page is the ids in (after, end], `end` at most PAGE past `after`: both bounds in the query, so that what a page
 * costs does not hang on the planner's guess of how many rows a range holds. With only the cut as the upper bound,
 * PostgreSQL's statistics from when the table was small (a ledger just loaded or imported, autovacuum not yet round)
 * estimated a few hundred rows for the rest of the ledger and read all of it for every page — a bitmap scan and a
 * top-N sort of every row still ahead: 300,000 transfers took 10.5 s where 1,000,000 took 11.5 s once analysed.
 */
async function readPage(db: Executor, after: number, end: number): Promise<Page> {
  if (isPostgres(db)) {
    const rows = (await db('ledger_transfers')
      .select(COLUMNS)
      .where('id', '>', after)
      .andWhere('id', '<=', end)
      .orderBy('id')
      .options({ rowMode: 'array' })) as unknown as PageRow[];
    return { rows };
  }
  const [row] = (await db.raw(SQLITE_PAGE, [after, end])) as Array<{ page: string | null; odd: number | null }>;
  if (!row?.page || !row.odd) return { rows: row?.page ? (JSON.parse(row.page) as PageRow[]) : [] };
  const objects: TransferRow[] = await db('ledger_transfers').where('id', '>', after).andWhere('id', '<=', end).orderBy('id');
  return { rows: objects.map((o) => COLUMNS.map((c) => o[c]) as PageRow), texts: objects.map((o) => canonicalJson(hashContent(o))) };
}

/**
 * The page of ids after `after` (see `readPage`) and where the walk goes on from. After an empty page it goes on from
 * just before the next id, looked up once, rather than through the gap page by page: a row written behind the
 * ledger's back with an id far beyond the rest would otherwise hold the walk for as many queries as the gap has pages.
 */
async function pageFrom(db: Executor, after: number, upto: number): Promise<Page & { end: number }> {
  const end = Math.min(after + PAGE, upto);
  const page = await readPage(db, after, end);
  if (page.rows.length || end === upto) return { ...page, end };
  const row = (await db('ledger_transfers').where('id', '>', end).andWhere('id', '<=', upto).min({ next: 'id' }).first()) as { next: number | string | null } | undefined;
  return { rows: [], end: row?.next === null || row?.next === undefined ? upto : Number(row.next) - 1 };
}

/**
 * A transfer's content in the canonical JSON of `canonicalJson(hashContent(row))` — its keys sorted, each value as
 * JSON.stringify writes it — built directly (a third of the time). A property-based test holds the two equal.
 */
export function transferContentJson(r: PageRow): string {
  const j = JSON.stringify;
  return `{"actor":${j(r[8])},"amount":${j(r[3])},"at":${j(r[9])},"case":${j(r[6])},"credit":${j(r[2])},"debit":${j(r[1])},"key":${j(r[7])},"kind":${j(r[4])},"order":${j(r[5])}}`;
}

/**
 * Walks the transfers with ids up to `upto` (a cut: every one of them committed). The next page is asked for while
 * the current one is hashed. `shared`: the thread also serves requests, so the walk pauses every YIELD_EVERY rows
 * to let those waiting go on (a page of 5,000 at once held them up for tens of milliseconds).
 */
export async function walkTransfers(db: Executor, upto: number, shared: boolean): Promise<Walk> {
  let prev = GENESIS_HASH;
  let count = 0;
  let firstBad: number | undefined;
  const computed = new Map<number, number>();
  // The pages' ids: (0, PAGE], (PAGE, 2·PAGE], … up to the cut; a page may hold fewer (ids a rollback used) or none.
  const pageAt = (after: number): Promise<Page & { end: number }> | null => (after < upto ? pageFrom(db, after, upto) : null);
  let next = pageAt(0);
  while (next) {
    const { rows, texts, end } = await next;
    next = pageAt(end);
    // Not left unhandled while this page is hashed; awaited (and its failure thrown) at the top of the loop.
    next?.catch(() => undefined);
    for (let i = 0; i < rows.length; i++) {
      const r = rows[i];
      if (++count % YIELD_EVERY === 0 && shared) await new Promise((resolve) => setImmediate(resolve));
      const [id, debit, credit, amount, , , , , , , prevHash, hash] = r;
      if (firstBad === undefined && (prevHash !== prev || chainHashOfJson(prev, texts ? texts[i] : transferContentJson(r)) !== hash || !(amount > 0))) firstBad = id;
      prev = hash;
      computed.set(debit, (computed.get(debit) ?? 0) - amount);
      computed.set(credit, (computed.get(credit) ?? 0) + amount);
    }
  }
  return { count, ...(firstBad !== undefined ? { firstBad } : {}), computed };
}

/** The job a verify worker is given (src/ledger/verify-worker.ts). */
export interface WalkJob {
  ledgerWalk: true;
  databaseUrl: string;
  upto: number;
}

export type WalkMessage = { walk: Walk } | { error: string };

/** How long a worker's walk may take: ten times a verify of 1,000,000 transfers on the benchmark machine. */
const WALK_TIMEOUT_MS = 10 * 60_000;

/** Worker walks alive now (at most one: `walkInWorker`), for the tests to watch. */
let alive = 0;
export const walkWorkersAlive = (): number => alive;
/** The end of the last walk asked for: each waits for the one before (several verifies asked at once queue). */
let queue: Promise<unknown> = Promise.resolve();

/**
 * `walkTransfers` in a worker thread that opens the database at `databaseUrl` itself (read only, on SQLite a read
 * connection) and ends when it has answered. One such worker at a time per process: verifies asked for together
 * (an administrator's clicks, the CLI beside the page) wait in turn instead of each taking a thread, a connection
 * and the memory of a worker. Rejects if the worker fails or stops without an answer.
 */
export function walkInWorker(databaseUrl: string, upto: number): Promise<Walk> {
  const mine = queue.then(() => walkOnce(databaseUrl, upto));
  queue = mine.catch(() => undefined);
  return mine;
}

function walkOnce(databaseUrl: string, upto: number): Promise<Walk> {
  const job: WalkJob = { ledgerWalk: true, databaseUrl, upto };
  const worker = startWorkerFile(__filename, 'verify-worker', job);
  alive++;
  // A walk that does not end (a database that stopped answering) is ended, so that the verifies after it can start.
  const deadline = setTimeout(() => void worker.terminate(), WALK_TIMEOUT_MS);
  deadline.unref();
  return new Promise<Walk>((resolve, reject) => {
    let answer: WalkMessage | undefined;
    worker.on('message', (m: WalkMessage) => {
      answer = m;
    });
    worker.once('error', reject);
    worker.once('exit', (code) => {
      alive--;
      clearTimeout(deadline);
      if (answer && 'walk' in answer) resolve(answer.walk);
      else reject(new Error(answer && 'error' in answer ? answer.error : `the ledger verify worker stopped (exit code ${code})`));
    });
  });
}
