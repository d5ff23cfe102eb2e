import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import ExcelJS from 'exceljs';
import { FakeClock } from '../../src/clock';
import { ENGINE, useMigratedDb } from '../helpers/db';
import { makePurchaser, makeVendor } from '../helpers/factories';
import { makeTrade } from '../helpers/stats-trades';

const ROOT = path.resolve(__dirname, '..', '..');

function run(args: string[], databaseUrl: string) {
  const env: NodeJS.ProcessEnv = { ...process.env, DATABASE_URL: databaseUrl, NODE_ENV: 'development' };
  delete env.TEST_DB;
  return spawnSync(process.execPath, ['--import', 'tsx', 'scripts/export-stats.ts', ...args], { cwd: ROOT, env, encoding: 'utf8', timeout: 60000 });
}

describe(`npm run export:stats (${ENGINE})`, function () {
  this.timeout(120000);
  const ctx = useMigratedDb();
  let dir: string;

  before(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'stats-cli-'));
    const clock = new FakeClock();
    const p = await makePurchaser(ctx.db, { city: '绍兴' });
    const v = await makeVendor(ctx.db, { city: '台州' });
    for (let i = 0; i < 5; i++) {
      await makeTrade(ctx.db, clock, {
        at: `2020-0${i + 1}-15T04:00:00Z`,
        channel: 'boutique',
        purchaser: { id: p.id, city: p.city, type: p.type },
        vendor: { id: v.id, city: v.city },
        amountFen: 1_000_000 * (i + 1),
        field: '船舶',
        level: null,
        kind: 'equipment',
      });
    }
  });

  after(() => rmSync(dir, { recursive: true, force: true }));

  it('writes the XLSX named by --out and reports the trades', async () => {
    const out = path.join(dir, 'report.xlsx');
    const r = run(['--from', '2020-01-01', '--to', '2020-12-31', '--format', 'xlsx', '--out', out], ctx.url);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stderr, /5 trades → /);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.readFile(out);
    assert.deepEqual(wb.worksheets.map((s) => s.name), ['汇总', '明细']);
    assert.equal((wb.getWorksheet('明细') as ExcelJS.Worksheet).rowCount, 6);
  });

  it('writes CSV to stdout with --out -', () => {
    const r = run(['--from', '2020-03-01', '--to', '2020-12-31', '--out', '-', '--lang', 'en'], ctx.url);
    assert.equal(r.status, 0, r.stderr);
    const lines = r.stdout.replace(/^\uFEFF/, '').trim().split('\r\n');
    assert.equal(lines[0].split(',')[0], 'Date');
    assert.equal(lines.length, 4);
  });

  it('exits 2 naming the option for a bad filter', () => {
    const r = run(['--from', '2020-13-01'], ctx.url);
    assert.equal(r.status, 2);
    assert.match(r.stderr, /^--from: /);
    const r2 = run(['--from', '2020-12-01', '--to', '2020-01-01'], ctx.url);
    assert.equal(r2.status, 2);
    assert.match(r2.stderr, /^--to: /);
    const r3 = run(['--format', 'pdf'], ctx.url);
    assert.match(r3.stderr, /^--format: /);
    const r4 = run(['--bogus', 'x'], ctx.url);
    assert.equal(r4.status, 2);
  });

  it('reads back the exact amounts', () => {
    const out = path.join(dir, 'all.csv');
    const r = run(['--out', out, '--quiet'], ctx.url);
    assert.equal(r.status, 0, r.stderr);
    const text = readFileSync(out, 'utf8');
    assert.deepEqual(text.trim().split('\r\n').slice(1).map((l) => l.split(',').pop()), ['10000.00', '20000.00', '30000.00', '40000.00', '50000.00']);
  });
});
