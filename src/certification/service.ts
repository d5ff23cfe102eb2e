import { recordAudit } from '../audit';
import type { Clock } from '../clock';
import { isUniqueViolation, writeTransaction, type Db, type Executor } from '../db';
import { AppError, invalidState, notFound } from '../errors';
import { authorize, can } from '../policies';
import { shanghaiDay } from '../time';
import type { Actor, Page } from '../web';
import { delistListingsOfCert, refreshListingsOfCert } from './listings';
import { certHistoryView, certView, type CertHistoryEntry, type CertView } from './presenters';
import {
  certHistory,
  certsOfCreditCode,
  findCert,
  findCertByNo,
  findVendorIdentity,
  insertCert,
  insertCertHistory,
  listCerts,
  moveCertStatus,
  overdueCerts,
  updateCert,
  type CertFields,
  type CertRow,
} from './repo';
import type { CertListQuery, CertificationInput, CertificationPatch } from './schema';
import { certStep, decideCertStep, type CertStepName } from './transitions';

export type AuditActor = Pick<Actor, 'id' | 'username'> | null;

/** Row columns from a validated input (the same mapping for the form, the JSON route and the import). */
export function certFields(input: CertificationInput): CertFields {
  return {
    cert_no: input.certNo,
    product_name: input.productName,
    enterprise_name: input.enterpriseName,
    credit_code: input.creditCode,
    kind: input.kind,
    level: input.level,
    field: input.field,
    year: input.year,
    valid_until: input.validUntil,
    indicators: JSON.stringify(input.indicators ?? []),
    key_supported: input.keySupported ?? false,
  };
}

const auditShape = (c: Partial<CertRow>) => {
  const { id: _id, created_at: _c, updated_at: _u, ...rest } = c as CertRow;
  return rest;
};

/**
 * The common part of every change of a certificate's status, in the caller's transaction: the table's verdict (409 in
 * the step's or the status's words), the conditional update (a concurrent change that got there first is the same
 * 409), and the history row. The caller keeps its audit record.
 */
export async function moveCert(
  trx: Executor,
  clock: Clock,
  actor: AuditActor,
  before: Pick<CertRow, 'id' | 'status'>,
  name: CertStepName,
  opts: { patch?: Partial<CertRow>; note?: string | null } = {},
): Promise<CertRow> {
  const step = certStep(name);
  const verdict = decideCertStep(step, before.status);
  if (!verdict.ok) throw invalidState(verdict.key);
  const at = clock.now().toISOString();
  if (!(await moveCertStatus(trx, before.id, before.status, verdict.to, { updated_at: at, ...opts.patch }))) {
    const again = decideCertStep(step, (await findCert(trx, before.id))?.status ?? '');
    throw invalidState(again.ok ? 'errors.conflict' : again.key);
  }
  await insertCertHistory(trx, { certification_id: before.id, action: name, from_status: before.status, to_status: verdict.to, actor_id: actor?.id ?? null, note: opts.note ?? null, at });
  return (await findCert(trx, before.id)) as CertRow;
}

/** The row for the status a certificate is entered in (added by hand or by the annual list). */
export const startCert = (trx: Executor, clock: Clock, actor: AuditActor, cert: Pick<CertRow, 'id' | 'status'>): Promise<void> =>
  insertCertHistory(trx, { certification_id: cert.id, action: 'create', from_status: null, to_status: cert.status, actor_id: actor?.id ?? null, note: null, at: clock.now().toISOString() });

/**
 * Applies a change to a stored certificate in the caller's transaction and keeps the listings that rest on it
 * consistent: new kind/level/field copied to them; a new holder (credit code) or an end date now past takes them out
 * of the catalogue. Returns the updated row and how many listings were delisted.
 */
export async function applyCertChange(
  trx: Executor,
  clock: Clock,
  actor: AuditActor,
  before: CertRow,
  patch: Partial<CertFields>,
  action: string,
): Promise<{ cert: CertRow; delisted: number; changed: string[] }> {
  const today = shanghaiDay(clock.now());
  const changed = (Object.keys(patch) as Array<keyof CertFields>).filter((k) => patch[k] !== undefined && normalise(patch[k]) !== normalise(before[k]));
  const next: Partial<CertRow> = Object.fromEntries(changed.map((k) => [k, patch[k]]));
  const validUntil = (next.valid_until ?? before.valid_until) as string;
  if (before.status === 'valid' && validUntil < today) next.status = 'expired';
  if (before.status === 'expired' && validUntil >= today) next.status = 'valid';
  if (!changed.length && !next.status) return { cert: before, delisted: 0, changed: [] };
  const now = clock.now().toISOString();
  // A change of status is the table's step (expire or renew) with its history row; the other columns go with it.
  const { status, ...columns } = next;
  const cert = status
    ? await moveCert(trx, clock, actor, before, status === 'expired' ? 'expire' : 'renew', { patch: { ...columns, updated_at: now } })
    : await updateCert(trx, before.id, { ...columns, updated_at: now });
  await recordAudit(trx, clock, {
    actor,
    action,
    entity: 'certification',
    entityId: before.id,
    before: Object.fromEntries([...changed, ...(next.status ? ['status'] : [])].map((k) => [k, before[k as keyof CertRow]])),
    after: auditShape(next),
  });
  let delisted = 0;
  if (next.status === 'expired') delisted += await delistListingsOfCert(trx, clock, actor, cert.id, 'cert_expired', null);
  if (next.credit_code) delisted += await delistListingsOfCert(trx, clock, actor, cert.id, 'cert_changed', null, cert.credit_code);
  if (next.kind || next.level || next.field) await refreshListingsOfCert(trx, cert, now);
  return { cert, delisted, changed };
}

/**
 * Enters a certificate decided by a finalized certification round (认定, src/recognition) in the caller's transaction:
 * the same row, history and audit record as `create`, without its own transaction (the round's finalization is one).
 * A number already taken is a 409.
 */
export async function issueCertificate(trx: Executor, clock: Clock, actor: AuditActor, input: CertificationInput): Promise<CertRow> {
  if (await findCertByNo(trx, input.certNo)) throw new AppError('duplicate', 'certification.duplicate', { certNo: input.certNo }, 'certNo');
  const now = clock.now().toISOString();
  const fields = certFields(input);
  const status = fields.valid_until < shanghaiDay(clock.now()) ? 'expired' : 'valid';
  const cert = await insertCert(trx, { ...fields, status, created_at: now, updated_at: now });
  await startCert(trx, clock, actor, cert);
  await recordAudit(trx, clock, { actor, action: 'certification.issue', entity: 'certification', entityId: cert.id, after: auditShape(cert) });
  return cert;
}

const normalise = (v: unknown): unknown => (typeof v === 'boolean' ? Number(v) : v);

/** The certification registry (首台（套）认定): the admin maintains it; vendors list products against it. */
export class CertificationService {
  /**
   * `onRevoked`: what a revocation does beyond the registry, in the same transaction — the composition root hands in
   * the single-source procedure's termination of the certificate's open cases (MoF Order 74 art. 43(1)), which this
   * module, below first-purchase, cannot import.
   */
  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
    private readonly onRevoked?: (trx: Executor, certId: number, actor: Actor) => Promise<unknown>,
  ) {}

  private today(): string {
    return shanghaiDay(this.clock.now());
  }

  /** "My certificates": the registry's certificates issued to the vendor's own credit code. */
  async forVendor(actor: Actor): Promise<CertView[]> {
    const vendor = actor.vendorId ? await findVendorIdentity(this.db, actor.vendorId) : undefined;
    if (!vendor) throw new AppError('forbidden', 'errors.wrong_role');
    const rows = await certsOfCreditCode(this.db, vendor.credit_code);
    return rows.filter((c) => can(actor, 'certification.read_own', { creditCode: c.credit_code, vendorCreditCode: vendor.credit_code })).map((c) => certView(c, this.today()));
  }

  /** The vendor's own certificates as a list page, with the registry's filters (GET /api/v1/vendor/certifications). */
  async pageForVendor(actor: Actor, q: CertListQuery): Promise<Page<CertView>> {
    const vendor = actor.vendorId ? await findVendorIdentity(this.db, actor.vendorId) : undefined;
    if (!vendor) throw new AppError('forbidden', 'errors.wrong_role');
    const { rows, total } = await listCerts(this.db, { ...q, creditCode: vendor.credit_code }, q.pageSize, (q.page - 1) * q.pageSize);
    const own = rows.filter((c) => can(actor, 'certification.read_own', { creditCode: c.credit_code, vendorCreditCode: vendor.credit_code }));
    return { items: own.map((c) => certView(c, this.today())), total, page: q.page, pageSize: q.pageSize };
  }

  async list(actor: Actor, q: CertListQuery): Promise<Page<CertView>> {
    authorize(actor, 'certification.manage', null);
    const { rows, total } = await listCerts(this.db, q, q.pageSize, (q.page - 1) * q.pageSize);
    return { items: rows.map((c) => certView(c, this.today())), total, page: q.page, pageSize: q.pageSize };
  }

  async get(actor: Actor, id: number): Promise<CertView> {
    authorize(actor, 'certification.manage', null);
    const c = await findCert(this.db, id);
    if (!c) throw notFound('certification.not_found');
    return certView(c, this.today());
  }

  /** The certificate with every change of its status, oldest first (the admin's detail, JSON and page). */
  async detail(actor: Actor, id: number): Promise<CertView & { history: CertHistoryEntry[] }> {
    const cert = await this.get(actor, id);
    return { ...cert, history: (await certHistory(this.db, id)).map(certHistoryView) };
  }

  async create(actor: Actor, input: CertificationInput): Promise<CertView> {
    authorize(actor, 'certification.manage', null);
    try {
      return await writeTransaction(this.db, async (trx) => {
        if (await findCertByNo(trx, input.certNo)) throw new AppError('duplicate', 'certification.duplicate', { certNo: input.certNo }, 'certNo');
        const now = this.clock.now().toISOString();
        const fields = certFields(input);
        const status = fields.valid_until < this.today() ? 'expired' : 'valid';
        const cert = await insertCert(trx, { ...fields, status, created_at: now, updated_at: now });
        await startCert(trx, this.clock, actor, cert);
        await recordAudit(trx, this.clock, { actor, action: 'certification.create', entity: 'certification', entityId: cert.id, after: auditShape(cert) });
        return certView(cert, this.today());
      });
    } catch (err) {
      if (isUniqueViolation(err)) throw new AppError('duplicate', 'certification.duplicate', { certNo: input.certNo }, 'certNo');
      throw err;
    }
  }

  async update(actor: Actor, id: number, patch: CertificationPatch): Promise<CertView & { delistedListings: number }> {
    authorize(actor, 'certification.manage', null);
    return writeTransaction(this.db, async (trx) => {
      const before = await findCert(trx, id);
      if (!before) throw notFound('certification.not_found');
      const fields: Partial<CertFields> = {
        product_name: patch.productName,
        enterprise_name: patch.enterpriseName,
        credit_code: patch.creditCode,
        kind: patch.kind,
        level: patch.level,
        field: patch.field,
        year: patch.year,
        valid_until: patch.validUntil,
        indicators: patch.indicators ? JSON.stringify(patch.indicators) : undefined,
        key_supported: patch.keySupported,
      };
      const year = patch.year ?? before.year;
      const until = patch.validUntil ?? before.valid_until;
      if (Number(until.slice(0, 4)) < year) throw new AppError('validation_failed', 'validation.valid_until_before_year', { field: 'validUntil' }, 'validUntil');
      const { cert, delisted } = await applyCertChange(trx, this.clock, actor, before, fields, 'certification.update');
      return { ...certView(cert, this.today()), delistedListings: delisted };
    });
  }

  /** A routed step of the registry (transitions.ts `CERT_DESK`), as the registrar's routes call it. */
  run(step: string, actor: Actor, id: number, input: unknown): Promise<CertView & { delistedListings: number }> {
    if (step === 'revoke') return this.revoke(actor, id, (input as { reason: string }).reason);
    throw new Error(`certification: no step ${step}`);
  }

  /** Revoking never deletes: the certificate stays on record with its reason; its listings leave the catalogue. */
  async revoke(actor: Actor, id: number, reason: string): Promise<CertView & { delistedListings: number }> {
    authorize(actor, 'certification.manage', null);
    return writeTransaction(this.db, async (trx) => {
      const before = await findCert(trx, id);
      if (!before) throw notFound('certification.not_found');
      const cert = await moveCert(trx, this.clock, actor, before, 'revoke', { patch: { revoked_reason: reason }, note: reason });
      await recordAudit(trx, this.clock, {
        actor,
        action: 'certification.revoke',
        entity: 'certification',
        entityId: id,
        before: { status: before.status },
        after: { status: 'revoked', revoked_reason: reason },
      });
      const delisted = await delistListingsOfCert(trx, this.clock, actor, id, 'cert_revoked', reason);
      await this.onRevoked?.(trx, id, actor);
      return { ...certView(cert, this.today()), delistedListings: delisted };
    });
  }

  /** Marks every valid certificate whose end date has passed as expired, and delists its listings. */
  async expireOverdue(actor: AuditActor): Promise<{ expired: number; delistedListings: number }> {
    return writeTransaction(this.db, async (trx) => {
      let expired = 0;
      let delisted = 0;
      for (const c of await overdueCerts(trx, this.today())) {
        const r = await applyCertChange(trx, this.clock, actor, c, {}, 'certification.expire');
        if (r.cert.status === 'expired') expired++;
        delisted += r.delisted;
      }
      return { expired, delistedListings: delisted };
    });
  }
}
