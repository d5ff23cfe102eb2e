import assert from 'node:assert/strict';
import { hasKey } from '../../src/i18n';
import { LIVE_LISTING_STATUSES } from '../../src/certification/repo';
import { CERT_DESK, CERT_WORKFLOW, certStep, decideCertStep } from '../../src/certification/transitions';
import { LISTING_DESK, LISTING_REVIEW, LISTING_WORKFLOW, VENDOR_WORKFLOW, decideStatusStep, listingStep, vendorStep } from '../../src/vendors/transitions';
import { stepRoutes, type Workflow } from '../../src/workflow';

const TABLES = [LISTING_WORKFLOW, VENDOR_WORKFLOW, CERT_WORKFLOW] as unknown as Array<Workflow<string, unknown, { wrongState?: string }>>;

describe('the listing, vendor and certificate tables (vendors/transitions.ts, certification/transitions.ts)', () => {
  it('every state, message, history label and form label exists in zh-CN and en', () => {
    for (const wf of TABLES) {
      const keys = [
        ...wf.statuses.map(wf.wrongStateKey),
        ...wf.steps.flatMap((s) => [s.done, s.wrongState, s.form?.button, s.form?.title, s.form?.hint, ...(s.form?.fields ?? []).flatMap((f) => [f.label, f.hint])]),
        // the history's labels on the admin's pages
        ...wf.steps.map((s) => (wf.name === 'certifications' ? `certification.history_${s.name}` : `admin.history_${s.name}`)),
      ].filter((k): k is string => typeof k === 'string');
      assert.deepEqual(keys.filter((k) => !hasKey('zh-CN', k) || !hasKey('en', k)), [], wf.name);
      for (const s of wf.steps) {
        for (const from of s.from) assert.ok(wf.statuses.includes(from), `${wf.name}.${s.name} from ${from}`);
        assert.ok(wf.statuses.includes(s.to), `${wf.name}.${s.name} to ${s.to}`);
        assert.ok(!s.from.some((f) => wf.final.includes(f)), `${wf.name}.${s.name} leads out of a final state`);
      }
    }
    for (const key of ['admin.history_create', 'admin.history_register', 'certification.history_create', 'admin.history_title', 'certification.history_title']) {
      assert.ok(hasKey('zh-CN', key) && hasKey('en', key), key);
    }
  });

  it('a wrong state is refused in the words each step always used; the guard after it', () => {
    assert.deepEqual(decideStatusStep(LISTING_WORKFLOW, listingStep('approve'), 'approved', { certCurrent: true, vendorApproved: true }), {
      ok: false,
      reason: 'state',
      key: 'admin.not_pending_review',
      params: { status: 'approved', action: 'approve' },
    });
    assert.equal(decideStatusStep(LISTING_WORKFLOW, listingStep('approve'), 'pending_review', { certCurrent: false, vendorApproved: false }).ok, false);
    assert.equal(
      (decideStatusStep(LISTING_WORKFLOW, listingStep('approve'), 'pending_review', { certCurrent: true, vendorApproved: false }) as { key: string }).key,
      'admin.vendor_not_approved',
    );
    assert.deepEqual(decideStatusStep(LISTING_WORKFLOW, listingStep('delist'), 'rejected', { certCurrent: true, vendorApproved: true }), { ok: true, to: 'delisted' });
    assert.equal((decideStatusStep(VENDOR_WORKFLOW, vendorStep('approve'), 'approved', undefined) as { key: string }).key, 'admin.vendor_already_approved');
    assert.equal((decideStatusStep(VENDOR_WORKFLOW, vendorStep('reject'), 'approved', undefined) as { key: string }).key, 'admin.vendor_not_pending');
    assert.deepEqual(decideStatusStep(VENDOR_WORKFLOW, vendorStep('approve'), 'rejected', undefined), { ok: true, to: 'approved' });
    assert.equal((decideCertStep(certStep('revoke'), 'revoked') as { key: string }).key, 'certification.already_revoked');
    assert.deepEqual(decideCertStep(certStep('revoke'), 'expired'), { ok: true, to: 'revoked' });
    assert.equal((decideCertStep(certStep('revoke'), 'no-such-status') as { key: string }).key, 'certification.already_revoked');
  });

  it('the routes are the ones API.md names; the steps without a route stay the services’ own', () => {
    assert.deepEqual(
      [LISTING_REVIEW, LISTING_DESK, VENDOR_WORKFLOW, CERT_DESK].flatMap((wf) => stepRoutes(wf as unknown as Workflow<string, unknown>).map((r) => r.route)),
      [
        'POST /api/v1/admin/products/:id/approve',
        'POST /admin/products/:id/approve',
        'POST /api/v1/admin/products/:id/reject',
        'POST /admin/products/:id/reject',
        'POST /api/v1/vendor/products/:id/delist',
        'POST /vendor/products/:id/delist',
        'POST /api/v1/vendor/products/:id/relist',
        'POST /vendor/products/:id/relist',
        'POST /api/v1/admin/vendors/:id/approve',
        'POST /admin/vendors/:id/approve',
        'POST /api/v1/admin/vendors/:id/reject',
        'POST /admin/vendors/:id/reject',
        'POST /api/v1/admin/certifications/:id/revoke',
        'POST /admin/certifications/:id/revoke',
      ],
    );
  });

  it('what a certificate takes out of the catalogue is the listing table’s delist_by_certificate', () => {
    assert.deepEqual([...LIVE_LISTING_STATUSES].sort(), [...listingStep('delist_by_certificate').from].sort());
    assert.equal(listingStep('delist_by_certificate').to, 'delisted');
  });
});
