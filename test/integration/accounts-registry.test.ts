import assert from 'node:assert/strict';
import { FakeClock } from '../../src/clock';
import { verifyAudit } from '../../src/audit/service';
import { importCertifications } from '../../src/certification/import';
import { CertificationService } from '../../src/certification/service';
import { AppError } from '../../src/errors';
import { ListingService } from '../../src/vendors/listings';
import { RegistrationService } from '../../src/vendors/registration';
import type { Actor } from '../../src/web/state';
import { useMigratedDb } from '../helpers/db';
import { creditCode, makeCert, makeProduct, makeUser, makeVendor } from '../helpers/factories';

const HEADER = 'certNo,productName,enterpriseName,creditCode,kind,level,field,year,validUntil';

describe('accounts and registry services (integration)', function () {
  const ctx = useMigratedDb();
  const clock = new FakeClock();
  let admin: Actor;

  before(async () => {
    clock.set(new Date('2026-03-02T02:00:00Z'), { freeze: true });
    const u = await makeUser(ctx.db, { role: 'admin' });
    admin = { id: u.id, username: u.username, role: 'admin', displayName: 'a', purchaserId: null, vendorId: null };
  });

  it('an import that fails while writing leaves nothing behind: no certificate, no audit record', async () => {
    const csv = [HEADER, ...[1, 2, 3].map((n) => `TX-${n},产品${n},企业,${creditCode(9100 + n)},equipment,provincial,智能装备,2026,2029-12-31`)].join('\n');
    const auditBefore = (await verifyAudit(ctx.db)).records;
    await assert.rejects(
      importCertifications(ctx.db, clock, admin, { name: 'x.csv', data: Buffer.from(csv) }, (phase, done) => {
        if (phase === 'write' && done === 2) throw new Error('disk full');
      }),
      /disk full/,
    );
    assert.equal((await ctx.db('certifications').where('cert_no', 'like', 'TX-%')).length, 0);
    assert.equal((await verifyAudit(ctx.db)).records, auditBefore);
    const ok = await importCertifications(ctx.db, clock, admin, { name: 'x.csv', data: Buffer.from(csv) });
    assert.equal(ok.counts.added, 3);
    assert.equal((await verifyAudit(ctx.db)).records, auditBefore + 3);
  });

  it('revoking delists every live listing of the certificate, each audited, and leaves delisted ones alone', async () => {
    const v = await makeVendor(ctx.db);
    const cert = await makeCert(ctx.db, v);
    const live = [await makeProduct(ctx.db, v, { cert }), await makeProduct(ctx.db, v, { cert, status: 'pending_review' })];
    const gone = await makeProduct(ctx.db, v, { cert, status: 'rejected' });
    const r = await new CertificationService(ctx.db, clock).revoke(admin, cert.id, '证书造假');
    assert.equal(r.delistedListings, 2);
    for (const p of live) {
      const row = await ctx.db('products').where({ id: p.id }).first();
      assert.deepEqual([row.status, row.delist_cause, row.review_reason], ['delisted', 'cert_revoked', '证书造假']);
    }
    assert.equal((await ctx.db('products').where({ id: gone.id }).first()).status, 'rejected');
    assert.equal((await ctx.db('audit_log').where({ action: 'product.delist_by_certificate' })).length, 2);
  });

  it('reassigning a certificate to another enterprise delists the old holder’s listings', async () => {
    const a = await makeVendor(ctx.db);
    const b = await makeVendor(ctx.db);
    const cert = await makeCert(ctx.db, a);
    const p = await makeProduct(ctx.db, a, { cert });
    const r = await new CertificationService(ctx.db, clock).update(admin, cert.id, { creditCode: b.credit_code });
    assert.equal(r.delistedListings, 1);
    assert.equal((await ctx.db('products').where({ id: p.id }).first()).delist_cause, 'cert_changed');
  });

  it('two registrations racing for one credit code: one is created, the other is a duplicate', async () => {
    const reg = new RegistrationService(ctx.db, clock);
    const code = creditCode(9300);
    const input = (username: string) => ({ enterpriseName: '并发企业', creditCode: code, city: '杭州', address: undefined, contact: 'c', username, password: 'tangerine-harbour-42', displayName: undefined });
    const results = await Promise.allSettled([reg.register(input('race_a')), reg.register(input('race_b'))]);
    const ok = results.filter((r) => r.status === 'fulfilled');
    const failed = results.filter((r) => r.status === 'rejected') as PromiseRejectedResult[];
    assert.equal(ok.length, 1);
    assert.equal(failed.length, 1);
    assert.ok(failed[0].reason instanceof AppError);
    assert.equal(failed[0].reason.code, 'duplicate');
    assert.equal((await ctx.db('vendors').where({ credit_code: code })).length, 1);
  });

  it('a vendor cannot list against a certificate that expires today-minus-one, even if still marked valid', async () => {
    const v = await makeVendor(ctx.db);
    const u = await makeUser(ctx.db, { role: 'vendor', vendor_id: v.id });
    const cert = await makeCert(ctx.db, v, { valid_until: '2026-03-01' });
    const actor: Actor = { id: u.id, username: u.username, role: 'vendor', displayName: 'v', purchaserId: null, vendorId: v.id };
    await assert.rejects(
      new ListingService(ctx.db, clock).create(actor, { certNo: cert.cert_no, boutiqueEvidence: undefined, title: 'T', model: 'M', description: '', price: 100, unit: '台', stock: 1 }),
      (e: AppError) => e.field === 'certNo' && e.messageKey === 'vendor.cert_not_valid',
    );
  });

  it('the audit chain stays intact across everything above', async () => {
    const r = await verifyAudit(ctx.db);
    assert.equal(r.ok, true);
    assert.ok(r.records > 5);
  });
});
