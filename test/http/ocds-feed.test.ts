import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import Ajv from 'ajv-draft-04';
import addFormats from 'ajv-formats';
import { FakeClock } from '../../src/clock';
import { FirstPurchaseService } from '../../src/first-purchase/service';
import { IntentionService } from '../../src/integration';
import type { Actor } from '../../src/web';
import { bearer, testApp, type TestApp } from '../helpers/app';
import { ENGINE, useMigratedDb } from '../helpers/db';
import { caseInState, makeFpWorld, type FpWorld } from '../helpers/first-purchase';

/** The OCDS 1.1.5 schemas, copied into the repository (test/fixtures/ocds/README.md). */
const OCDS_DIR = path.join(__dirname, '..', 'fixtures', 'ocds');
/** The host name the feed is read under: its links are absolute, on it. */
const HOST = 'market.example.org';
const RELEASE_SCHEMA_ID = 'https://standard.open-contracting.org/schema/1__1__5/release-schema.json';

function packageValidator() {
  const ajv = new Ajv({ strict: false, allErrors: true });
  addFormats(ajv, ['date-time', 'uri', 'email']);
  ajv.addSchema(JSON.parse(readFileSync(path.join(OCDS_DIR, 'release-schema.json'), 'utf8')), RELEASE_SCHEMA_ID);
  const validate = ajv.compile(JSON.parse(readFileSync(path.join(OCDS_DIR, 'release-package-schema.json'), 'utf8')));
  return (pkg: unknown): void => {
    const ok = validate(pkg);
    assert.ok(ok, JSON.stringify(validate.errors?.slice(0, 5), null, 1));
  };
}

/** The closed codelists the feed uses, as the standard lists them (test/fixtures/ocds/*.csv). */
const codes = (file: string): string[] =>
  readFileSync(path.join(OCDS_DIR, file), 'utf8')
    .split('\n')
    .slice(1)
    .filter(Boolean)
    .map((l) => l.split(',')[0]);

type Release = { ocid: string; id: string; date: string; tag: string[]; [k: string]: unknown } & Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

describe(`the incremental OCDS release feed (${ENGINE})`, function () {
  this.timeout(60000);
  const ctx = useMigratedDb();
  let t: TestApp;
  let w: FpWorld;
  let admin: string;
  let buyerToken: string;
  const validate = packageValidator();
  let paidCase = 0;
  let withdrawnCase = 0;
  let intentionId = 0;

  before(async () => {
    w = await makeFpWorld(ctx.db);
    t = testApp(ctx.db, { worker: false });
    admin = await bearer(t.http, w.users.admin);
    buyerToken = await bearer(t.http, w.users.purchaser);
  });

  const buyer = (): Actor => ({ id: w.userIds.purchaser, username: w.users.purchaser, role: 'purchaser', displayName: 'p', purchaserId: w.unit.id, vendorId: null });
  const adminActor = (): Actor => ({ id: w.userIds.admin, username: w.users.admin, role: 'admin', displayName: 'a', purchaserId: null, vendorId: null });

  /** Reads the whole feed from `after`, `pageSize` events at a time, validating every package. */
  async function readAll(after: number, pageSize: number): Promise<{ releases: Release[]; next: number; pages: number }> {
    const releases: Release[] = [];
    let cursor = after;
    for (let pages = 1; ; pages++) {
      const res = await t.http.get(`/api/v1/ocds/releases?after=${cursor}&pageSize=${pageSize}`).set('Host', HOST);
      if (res.status === 204) return { releases, next: cursor, pages };
      assert.equal(res.status, 200, JSON.stringify(res.body));
      validate(res.body);
      releases.push(...(res.body.releases as Release[]));
      assert.ok(res.body.next >= cursor, 'the cursor never goes back');
      cursor = res.body.next;
      if (!res.body.hasMore) {
        assert.equal(res.headers.link, undefined, 'no next link on the last page');
        return { releases, next: cursor, pages };
      }
      assert.match(res.headers.link, new RegExp(`after=${cursor}&pageSize=${pageSize}>; rel="next"`));
    }
  }

  it('the admin sets the ocid prefix while nothing is published; a malformed one is a 422 naming ocidPrefix; others may not', async () => {
    assert.equal((await t.http.get('/api/v1/admin/settings/ocds').set('Authorization', admin)).body.ocidPrefix, 'ocds-zjsttx', 'the default');
    assert.equal((await t.http.post('/api/v1/admin/settings/ocds').send({ ocidPrefix: 'ocds-abc123' })).status, 401);
    assert.equal((await t.http.post('/api/v1/admin/settings/ocds').set('Authorization', buyerToken).send({ ocidPrefix: 'ocds-abc123' })).status, 403);
    for (const bad of ['abc123', 'ocds-ABC123', 'ocds-abc1234', '', 'ocds-ab 123']) {
      const res = await t.http.post('/api/v1/admin/settings/ocds').set('Authorization', admin).send({ ocidPrefix: bad });
      assert.equal(res.status, 422, bad);
      assert.equal(res.body.error.field, 'ocidPrefix');
    }
    const ok = await t.http.post('/api/v1/admin/settings/ocds').set('Authorization', admin).send({ ocidPrefix: 'ocds-abc123' });
    assert.equal(ok.status, 200, JSON.stringify(ok.body));
    assert.deepEqual(ok.body, { ocidPrefix: 'ocds-abc123' });
    const empty = await t.http.get('/api/v1/ocds/releases');
    assert.equal(empty.status, 204, 'nothing released yet: no package (a package holds at least one release)');
    assert.equal(empty.text, '');
  });

  it('a full 政府首购 case and its intention: planning, tender, award, contract, implementation — each release once, valid OCDS', async () => {
    const now = new Date();
    const clock = new FakeClock();
    clock.set(new Date(now.getTime() - 60 * 86400000), { freeze: true });
    const intention = await new IntentionService(ctx.db, clock).publish(buyer(), { projectName: '64排CT采购项目', goods: '64 排螺旋 CT 一台', budget: 3_500_000_00, expectedMonth: '2026-12', productId: w.products.ct });
    intentionId = intention.id;
    paidCase = (await caseInState(ctx.db, now, { buyer: buyer(), admin: adminActor(), productId: w.products.ct }, 'accepted')).id;
    const payClock = new FakeClock();
    payClock.set(now, { freeze: true });
    await new FirstPurchaseService(ctx.db, payClock).pay(buyer(), paidCase);

    const small = await readAll(0, 2);
    const big = await readAll(0, 100);
    assert.ok(small.pages > 2, 'read over several pages');
    assert.deepEqual(small.releases, big.releases, 'the page size changes nothing: the same releases, in the same order');
    const ids = big.releases.map((r) => r.id);
    assert.equal(new Set(ids).size, ids.length, 'each release once');

    const planning = big.releases.filter((r) => r.ocid === `ocds-abc123-pi-${intentionId}`);
    assert.deepEqual(planning.map((r) => r.tag), [['planning']]);
    assert.equal(planning[0].tender.status, 'planning');
    assert.deepEqual(planning[0].planning.budget.amount, { amount: 3500000, currency: 'CNY' });
    assert.equal(planning[0].tender.tenderPeriod.startDate, '2026-12-01T00:00:00+08:00');

    const mine = big.releases.filter((r) => r.ocid === `ocds-abc123-fp-${paidCase}`);
    assert.deepEqual(mine.map((r) => r.tag), [['tender'], ['award'], ['contract'], ['implementation']]);
    assert.deepEqual(mine.map((r) => r.date), [...mine.map((r) => r.date)].sort(), 'in the order the stages happened');
    const [tender, award, contract, implementation] = mine;
    assert.equal(tender.tender.procurementMethod, 'direct');
    assert.ok(codes('method.csv').includes(tender.tender.procurementMethod));
    assert.equal(tender.tender.procurementMethodDetails, '单一来源（政府首购）');
    assert.deepEqual(tender.tender.value, { amount: 3500000, currency: 'CNY' });
    assert.equal(tender.tender.numberOfTenderers, 1);
    assert.match(tender.tender.documents[0].url, /\/notices\/\d+$/);
    assert.deepEqual(tender.relatedProcesses, [{ id: `pi-${intentionId}`, relationship: ['planning'], title: '64排CT采购项目', scheme: 'ocid', identifier: `ocds-abc123-pi-${intentionId}` }]);
    assert.deepEqual(award.awards[0].value, { amount: 3000000, currency: 'CNY' });
    assert.deepEqual(award.awards[0].suppliers, [{ id: `vendor-${w.vendor.id}`, name: w.vendor.name }]);
    assert.equal(contract.contracts[0].id, `HT-${paidCase}`);
    assert.equal(contract.contracts[0].awardID, award.awards[0].id);
    assert.match(contract.contracts[0].dateSigned, /^\d{4}-\d{2}-\d{2}T00:00:00\+08:00$/);
    const tx = implementation.contracts[0].implementation.transactions[0];
    assert.deepEqual(tx.value, { amount: 3000000, currency: 'CNY' });
    assert.deepEqual(tx.payer, { id: `purchaser-${w.unit.id}`, name: w.unit.name });
    assert.equal(implementation.contracts[0].id, `HT-${paidCase}`);
    const tags = codes('releaseTag.csv');
    assert.ok(big.releases.every((r) => r.tag.every((x) => tags.includes(x))));
    const buyerParty = tender.parties.find((p: { id: string }) => p.id === `purchaser-${w.unit.id}`);
    assert.deepEqual(buyerParty.roles, ['buyer', 'procuringEntity']);

    // Reading on from the last cursor: nothing new, and nothing again.
    const again = await t.http.get(`/api/v1/ocds/releases?after=${big.next}`);
    assert.equal(again.status, 204);
    assert.match(tender.tender.documents[0].url, new RegExp(`^http://${HOST}/notices/`), 'links are absolute, on the host the feed is read under');
  });

  it('new stages arrive after the cursor only: a withdrawn case adds its tender and its cancellation', async () => {
    const before = await readAll(0, 100);
    // Another purchasing unit, which published no intention.
    const user = await ctx.db('users').where({ username: w.users.purchaser2 }).first('id');
    const other: Actor = { id: Number(user.id), username: w.users.purchaser2, role: 'purchaser', displayName: 'p2', purchaserId: w.otherUnit.id, vendorId: null };
    withdrawnCase = (await caseInState(ctx.db, new Date(), { buyer: other, admin: adminActor(), productId: w.products.mr }, 'notice')).id;
    await new FirstPurchaseService(ctx.db, new FakeClock()).withdraw(other, withdrawnCase, { reason: '需求变更' });
    const after = await readAll(before.next, 100);
    assert.deepEqual(after.releases.map((r) => [r.ocid, r.tag]), [
      [`ocds-abc123-fp-${withdrawnCase}`, ['tender']],
      [`ocds-abc123-fp-${withdrawnCase}`, ['tenderCancellation']],
    ]);
    assert.equal(after.releases[1].tender.status, 'cancelled');
    assert.ok(!after.releases.some((r) => before.releases.some((b) => b.id === r.id)), 'nothing read before comes again');
    assert.equal(after.releases[0].relatedProcesses, undefined, 'the other unit published no intention: no related planning process');
  });

  it('once releases exist, the prefix is fixed: another one is a 409 naming ocidPrefix, the same one is accepted', async () => {
    const res = await t.http.post('/api/v1/admin/settings/ocds').set('Authorization', admin).send({ ocidPrefix: 'ocds-xyz789' });
    assert.equal(res.status, 409, JSON.stringify(res.body));
    assert.equal(res.body.error.field, 'ocidPrefix');
    assert.match(res.body.error.message, /ocds-abc123/);
    assert.equal((await t.http.post('/api/v1/admin/settings/ocds').set('Authorization', admin).send({ ocidPrefix: 'ocds-abc123' })).status, 200);
    const all = await readAll(0, 100);
    assert.ok(all.releases.every((r) => r.ocid.startsWith('ocds-abc123-')), 'every ocid as first published');
  });

  it('a bad cursor or page size is a 422 naming the field', async () => {
    for (const [q, field] of [['after=-1', 'after'], ['after=x', 'after'], ['pageSize=0', 'pageSize'], ['pageSize=101', 'pageSize']] as const) {
      const res = await t.http.get(`/api/v1/ocds/releases?${q}`);
      assert.equal(res.status, 422, q);
      assert.equal(res.body.error.field, field, q);
    }
  });
});
