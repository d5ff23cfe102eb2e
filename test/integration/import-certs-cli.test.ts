import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { useMigratedDb } from '../helpers/db';
import { creditCode } from '../helpers/factories';

const ROOT = path.resolve(__dirname, '..', '..');
const HEADER = 'certNo,productName,enterpriseName,creditCode,kind,level,field,year,validUntil';

function runCli(args: string[], databaseUrl: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', path.join(ROOT, 'scripts/import-certs.ts'), ...args],
      { cwd: ROOT, env: { ...process.env, DATABASE_URL: databaseUrl, NODE_ENV: 'development', LOG_LEVEL: 'silent' }, timeout: 60000 },
      (err, stdout, stderr) => resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

describe('npm run import:certs (the CLI)', function () {
  this.timeout(90000);
  const ctx = useMigratedDb();
  let dir: string;

  before(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'fum-cli-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('a file with a bad row: exit 1, the row named, nothing written; a good file: exit 0 and written', async () => {
    const bad = path.join(dir, 'bad.csv');
    writeFileSync(bad, `${HEADER}\nCLI-1,产品,企业,${creditCode(4101)},equipment,provincial,智能装备,2026,2029-12-31\nCLI-2,产品,企业,BAD,equipment,provincial,智能装备,2026,2029-12-31\n`);
    const r1 = await runCli([bad], ctx.url);
    assert.equal(r1.code, 1, r1.stderr);
    assert.match(r1.stdout, /行号 3\tCLI-2\t/);
    assert.match(r1.stderr, /未写入任何数据/);
    assert.equal((await ctx.db('certifications').where('cert_no', 'like', 'CLI-%')).length, 0);

    const good = path.join(dir, 'good.csv');
    writeFileSync(good, `${HEADER}\nCLI-1,产品,企业,${creditCode(4101)},equipment,provincial,智能装备,2026,2029-12-31\n`);
    const r2 = await runCli([good, '--lang', 'en'], ctx.url);
    assert.equal(r2.code, 0, r2.stderr);
    assert.match(r2.stdout, /Imported: 1 added/);
    assert.equal((await ctx.db('certifications').where('cert_no', 'like', 'CLI-%')).length, 1);
  });

  it('usage and unreadable files: exit 2', async () => {
    assert.equal((await runCli([], ctx.url)).code, 2);
    const missing = await runCli([path.join(dir, 'nope.xlsx')], ctx.url);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /cannot read/);
  });
});
