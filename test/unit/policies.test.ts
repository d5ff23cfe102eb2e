import assert from 'node:assert/strict';
import { AppError } from '../../src/errors';
import { POLICIES, authorize, can } from '../../src/policies';
import type { Actor } from '../../src/web/state';

const actor = (role: Actor['role'], over: Partial<Actor> = {}): Actor => ({
  id: 1,
  username: role,
  role,
  displayName: role,
  purchaserId: role === 'purchaser' ? 10 : null,
  vendorId: role === 'vendor' ? 20 : null,
  ...over,
});

describe('policies', () => {
  const vendor = actor('vendor');
  const otherVendor = actor('vendor', { id: 2, vendorId: 21 });
  const admin = actor('admin');
  const purchaser = actor('purchaser');
  const own = { vendorId: 20 };

  it('a vendor edits, delists and relists only its own listings', () => {
    for (const action of ['product.read_own', 'product.update', 'product.delist', 'product.relist'] as const) {
      assert.equal(can(vendor, action, own), true, action);
      assert.equal(can(otherVendor, action, own), false, action);
      assert.equal(can(purchaser, action, own), false, action);
      assert.equal(can(admin, action, own), false, `${action}: the admin reviews, it does not edit`);
      assert.equal(can(null, action, own), false);
    }
  });

  it('a purchaser whose id happens to equal the vendor id gains nothing', () => {
    assert.equal(can(actor('purchaser', { purchaserId: 20, vendorId: null }), 'product.update', own), false);
    assert.equal(can(actor('vendor', { vendorId: null }), 'product.update', { vendorId: 0 }), false);
  });

  it('only an approved vendor creates listings, for itself', () => {
    assert.equal(can(vendor, 'product.create', { id: 20, status: 'approved' }), true);
    assert.equal(can(vendor, 'product.create', { id: 20, status: 'pending' }), false);
    assert.equal(can(vendor, 'product.create', { id: 21, status: 'approved' }), false);
  });

  it('review, the registry and the audit log are the admin’s', () => {
    assert.equal(can(admin, 'product.review', own), true);
    assert.equal(can(vendor, 'product.review', own), false);
    for (const action of ['certification.manage', 'audit.read'] as const) {
      assert.equal(can(admin, action, null), true);
      assert.equal(can(vendor, action, null), false);
      assert.equal(can(purchaser, action, null), false);
    }
    assert.equal(can(admin, 'vendor.review', { id: 20 }), true);
    assert.equal(can(vendor, 'vendor.read', { id: 20 }), true);
    assert.equal(can(vendor, 'vendor.read', { id: 21 }), false);
  });

  it('a vendor reads a certificate only when it carries its own credit code', () => {
    assert.equal(can(vendor, 'certification.read_own', { creditCode: 'A', vendorCreditCode: 'A' }), true);
    assert.equal(can(vendor, 'certification.read_own', { creditCode: 'B', vendorCreditCode: 'A' }), false);
  });

  it('authorize: 401 for nobody, 403 for the wrong actor', () => {
    const code = (fn: () => void) => {
      try {
        fn();
        return 'ok';
      } catch (e) {
        assert.ok(e instanceof AppError);
        return e.code;
      }
    };
    assert.equal(code(() => authorize(null, 'product.update', own)), 'unauthenticated');
    assert.equal(code(() => authorize(otherVendor, 'product.update', own)), 'forbidden');
    assert.equal(code(() => authorize(vendor, 'product.update', own)), 'ok');
  });

  it('every rule is a pure function of (actor, object)', () => {
    for (const [name, rule] of Object.entries(POLICIES)) assert.equal(typeof rule, 'function', name);
  });
});
