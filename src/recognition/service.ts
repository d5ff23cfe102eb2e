import { randomInt as cryptoInt } from 'node:crypto';
import { recordAudit, recordAudits } from '../audit';
import { certificateNumber, issueCertificate, lastCertificateSeq } from '../certification';
import type { Clock } from '../clock';
import { concurrently, executorFor, isUniqueViolation, writeTransaction, type Db, type Executor } from '../db';
import { type Kind, type Level, type Unanswered } from '../domain';
import { AppError, invalidField, invalidState, notFound, parseStoredArray } from '../errors';
import type { Translator } from '../i18n';
import { Ledger } from '../ledger';
import { Money } from '../money';
import { daysAfter, shanghaiDay, shanghaiIso } from '../time';
import type { Actor, Page } from '../web';
import { addDays, noticePeriod, shanghaiIsoSeconds } from '../workdays';
import { MAX_ATTACHMENTS, checkAttachment, cleanFilename, randomStoredName, sha256, type AttachmentKind } from './attachments';
import { mayManage, mayReadApplication, requireRole, type ApplicationAct } from './policies';
import {
  activeExperts,
  attachmentData,
  attachmentsOf,
  deleteAttachment,
  findAttachment,
  insertAttachment,
  applicationsByIds,
  awardsByIds,
  updateAwards,
  applicationsOfRound,
  certificatesByIds,
  insertAwards,
  drawsOf,
  findApplication,
  findAward,
  findExpert,
  findExpertOfUser,
  findExpertWithUser,
  expertHistory,
  insertExpertHistory,
  findListEntry,
  findNotice,
  findObjection,
  findRound,
  findUser,
  findUserByName,
  findVendor,
  historyOf,
  insertApplication,
  insertDraw,
  insertExpert,
  insertHistory,
  insertListEntry,
  insertListHistory,
  insertNotice,
  insertObjection,
  insertReviews,
  insertRound,
  listApplications,
  listAwards,
  listEntries,
  listExperts,
  listHistory,
  listNotices,
  listRounds,
  noticeOfRound,
  objectionsOf,
  readAwardSetting,
  resolveObjectionRow,
  reviewsOf,
  reviewsOfExpert,
  countReviewsOfExpert,
  updateApplication,
  updateAward,
  updateExpert,
  updateListEntry,
  updateReview,
  updateRound,
  writeAwardSetting,
  type ApplicationDetailRow,
  type ApplicationRow,
  type ExpertRow,
  type ListEntryRow,
  type ReviewDetailRow,
  type RoundRow,
} from './repo';
import type {
  ApplicationInput,
  ApplicationStatus,
  AwardSettingsInput,
  DrawInput,
  ExpertEditInput,
  ExpertForm,
  ExpertInput,
  IndicatorValue,
  ListEntryInput,
  ListQuery,
  ObjectionInput,
  PageQuery,
  ResolveInput,
  ReviewInput,
  RoundInput,
  ScreenInput,
} from './schema';
import { awardPaid, createRecords, draftFields, draftRow, drawRecords, reviewRecords, stepRecords, writeSteps } from './records';
import { AWARD_DAYS, DEFAULT_AWARDS_FEN, DEPARTMENT, ROUND_NOTICE_WORKING_DAYS, VALIDITY_YEARS, applicationNumber, checkIndicators, drawFrom, drawPool, normalized, panelVerdict, requirementText } from './rules';
import { certificationStats, yearFiguresOf, type CertificationStats } from './stats';
import { expertView, listEntryView, type ApplicationView, type ExpertView, type ListEntryView, type ReviewView } from './views';
import { CASCADES, MIN_PANEL, VENDOR_APPLICATION, nextStatus, type ApplicationFacts } from './transitions';

const PUBLIC_ACTOR = { id: null, username: 'public' } as unknown as Actor;
const money = (fen: number | null): string => Money.ofFen(fen ?? 0).toString();

/** An expert drawn to an application, as the draw answers. */
export type DrawnExpert = { id: number; name: string; unit: string; username: string | null };

/**
 * The certification lifecycle (认定, DESIGN §8): the indicator list, the expert pool, applications and their steps,
 * the draw of experts and their reviews, rounds with their 公示 and objections, the certificates a finalized round
 * enters in the registry and the awards finance pays through the ledger. Each write is one `writeTransaction`: any
 * error rolls the whole step back. The rules it applies are in rules.ts, the rows and records a step writes in
 * records.ts, what it answers in views.ts.
 */
/** A standard-track application's list entry: one that exists, of the application's field (422 naming it). */
async function checkListEntry(db: Executor, input: ApplicationInput): Promise<void> {
  if (input.listEntryId === undefined || input.listEntryId === null) return;
  const entry = await findListEntry(db, input.listEntryId);
  if (!entry) throw invalidField('listEntryId', 'recognition.list_entry_unknown', { id: input.listEntryId });
  if (entry.field !== input.field) throw invalidField('listEntryId', 'recognition.list_entry_other_field', { entryField: entry.field, appliedField: input.field });
}

export class RecognitionService {
  private readonly ledger: Ledger;

  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
    /** An integer in [0, n): the draw's randomness (crypto by default; the demo loader passes its seeded one). */
    private readonly randomInt: (n: number) => number = (n) => cryptoInt(n),
  ) {
    this.ledger = new Ledger(clock);
  }

  private now(): string {
    return this.clock.now().toISOString();
  }

  // ——— the indicator list (清单) ———

  async indicatorList(q: ListQuery): Promise<Page<ListEntryView>> {
    const { rows, total } = await listEntries(executorFor(this.db), q, q.pageSize, (q.page - 1) * q.pageSize);
    return { items: rows.map(listEntryView), total, page: q.page, pageSize: q.pageSize };
  }

  async addListEntry(actor: Actor, input: ListEntryInput, opts: { demo?: boolean } = {}): Promise<ListEntryView> {
    mayManage(actor);
    return writeTransaction(this.db, async (trx) => {
      const now = this.now();
      const row = { year: input.year, field: input.field, product: input.product, indicators: JSON.stringify(input.indicators), demo: opts.demo ?? false, created_at: now, updated_at: now };
      const id = await insertListEntry(trx, row);
      await insertListHistory(trx, { entry_id: id, action: 'create', before: null, after: row.indicators, actor_id: actor.id, at: now });
      await recordAudit(trx, this.clock, { actor, action: 'recognition.list_add', entity: 'indicator_list', entityId: id, after: { year: input.year, field: input.field, product: input.product } });
      return listEntryView({ id, ...row });
    });
  }

  async updateListEntry(actor: Actor, id: number, input: ListEntryInput): Promise<ListEntryView> {
    mayManage(actor);
    return writeTransaction(this.db, async (trx) => {
      const before = await findListEntry(trx, id);
      if (!before) throw notFound('recognition.list_entry_not_found');
      const now = this.now();
      const patch = { year: input.year, field: input.field, product: input.product, indicators: JSON.stringify(input.indicators), updated_at: now };
      await updateListEntry(trx, id, patch);
      const shape = (r: Pick<ListEntryRow, 'year' | 'field' | 'product' | 'indicators'>) => JSON.stringify({ year: r.year, field: r.field, product: r.product, indicators: JSON.parse(r.indicators) as unknown });
      await insertListHistory(trx, { entry_id: id, action: 'update', before: shape(before), after: shape(patch), actor_id: actor.id, at: now });
      await recordAudit(trx, this.clock, { actor, action: 'recognition.list_update', entity: 'indicator_list', entityId: id, before: { product: before.product }, after: { product: input.product } });
      return listEntryView({ ...before, ...patch });
    });
  }

  async listEntryDetail(actor: Actor, id: number): Promise<ListEntryView & { history: Array<{ action: string; before: unknown; after: unknown; actorId: number | null; at: string }> }> {
    mayManage(actor);
    const db = executorFor(this.db);
    const r = await findListEntry(db, id);
    if (!r) throw notFound('recognition.list_entry_not_found');
    const history = (await listHistory(db, id)).map((h) => ({ action: h.action, before: h.before ? (JSON.parse(h.before) as unknown) : null, after: JSON.parse(h.after) as unknown, actorId: h.actor_id, at: shanghaiIso(new Date(h.at)) }));
    return { ...listEntryView(r), history };
  }

  // ——— the expert pool (专家库) ———

  async experts(actor: Actor, q: { page: number; pageSize: number }): Promise<Page<ExpertView>> {
    mayManage(actor);
    const { rows, total } = await listExperts(executorFor(this.db), q.pageSize, (q.page - 1) * q.pageSize);
    return { items: rows.map(expertView), total, page: q.page, pageSize: q.pageSize };
  }

  /**
   * Adds an expert to the pool, with their login named by id (JSON) or by username (the page form: 422 naming
   * `username` when no account of role expert has it).
   */
  async addExpert(actor: Actor, input: ExpertInput | ExpertForm, opts: { demo?: boolean } = {}): Promise<ExpertView> {
    mayManage(actor);
    try {
      return await writeTransaction(this.db, async (trx) => {
        let userId = 'userId' in input ? (input.userId ?? null) : null;
        if ('username' in input && input.username !== undefined) {
          const u = await findUserByName(trx, input.username);
          if (!u || u.role !== 'expert') throw invalidField('username', 'recognition.username_not_expert', { username: input.username });
          if (await findExpertOfUser(trx, u.id)) throw new AppError('duplicate', 'recognition.user_taken', { userId: u.id }, 'username');
          userId = u.id;
        } else if (userId !== null) {
          const u = await findUser(trx, userId);
          if (!u || u.role !== 'expert') throw invalidField('userId', 'recognition.user_not_expert', { userId });
          if (await findExpertOfUser(trx, userId)) throw new AppError('duplicate', 'recognition.user_taken', { userId }, 'userId');
        }
        const row = { name: input.name, unit: input.unit, title: input.title, fields: JSON.stringify(input.fields), user_id: userId, active: true, demo: opts.demo ?? false, created_at: this.now() };
        const id = await insertExpert(trx, row);
        await recordAudit(trx, this.clock, { actor, action: 'recognition.expert_add', entity: 'expert', entityId: id, after: { name: input.name, unit: input.unit, fields: input.fields, userId } });
        const u = userId !== null ? await findUser(trx, userId) : undefined;
        return expertView({ id, ...row, username: u?.username ?? null });
      });
    } catch (err) {
      if (isUniqueViolation(err)) throw new AppError('duplicate', 'recognition.user_taken', {}, 'username' in input ? 'username' : 'userId');
      throw err;
    }
  }

  /** One expert with the edits on record (the department). */
  async expertDetail(actor: Actor, id: number): Promise<ExpertView & { history: Array<{ action: string; before: unknown; after: unknown; actorId: number | null; at: string }> }> {
    mayManage(actor);
    const db = executorFor(this.db);
    const e = await findExpertWithUser(db, id);
    if (!e) throw notFound('recognition.expert_not_found');
    const history = (await expertHistory(db, id)).map((h) => ({ action: h.action, before: JSON.parse(h.before) as unknown, after: JSON.parse(h.after) as unknown, actorId: h.actor_id, at: shanghaiIso(new Date(h.at)) }));
    return { ...expertView(e), history };
  }

  /**
   * The department edits an expert's name, unit, title or fields; what changed is kept (expert_history) and audited.
   * Panels already drawn stay as drawn; the next draw reads the new unit and fields.
   */
  async updateExpert(actor: Actor, id: number, input: ExpertEditInput): Promise<ExpertView> {
    mayManage(actor);
    return writeTransaction(this.db, async (trx) => {
      const e = await findExpertWithUser(trx, id);
      if (!e) throw notFound('recognition.expert_not_found');
      const was = expertView(e);
      const before: Record<string, unknown> = {};
      const after: Record<string, unknown> = {};
      for (const k of ['name', 'unit', 'title', 'fields'] as const) {
        const v = input[k];
        if (v === undefined || JSON.stringify(v) === JSON.stringify(was[k])) continue;
        before[k] = was[k];
        after[k] = v;
      }
      if (Object.keys(after).length === 0) return was;
      const patch: Partial<ExpertRow> = { ...(after.name !== undefined ? { name: after.name as string } : {}), ...(after.unit !== undefined ? { unit: after.unit as string } : {}), ...(after.title !== undefined ? { title: after.title as string } : {}), ...(after.fields !== undefined ? { fields: JSON.stringify(after.fields) } : {}) };
      await updateExpert(trx, id, patch);
      const at = this.now();
      await insertExpertHistory(trx, { expert_id: id, action: 'update', before: JSON.stringify(before), after: JSON.stringify(after), actor_id: actor.id, at });
      await recordAudit(trx, this.clock, { actor, action: 'recognition.expert_update', entity: 'expert', entityId: id, before, after });
      return expertView({ ...e, ...patch });
    });
  }

  /** Takes an expert out of the pool (no longer drawn) or back in; their past reviews stay on record. */
  async setExpertActive(actor: Actor, id: number, active: boolean): Promise<ExpertView> {
    mayManage(actor);
    return writeTransaction(this.db, async (trx) => {
      const e = await findExpert(trx, id);
      if (!e) throw notFound('recognition.expert_not_found');
      await updateExpert(trx, id, { active });
      if (!!e.active !== active) {
        await insertExpertHistory(trx, { expert_id: id, action: 'active', before: JSON.stringify({ active: !!e.active }), after: JSON.stringify({ active }), actor_id: actor.id, at: this.now() });
      }
      await recordAudit(trx, this.clock, { actor, action: 'recognition.expert_active', entity: 'expert', entityId: id, before: { active: !!e.active }, after: { active } });
      return expertView({ ...e, active });
    });
  }

  // ——— applications ———

  createApplication(actor: Actor, input: ApplicationInput, opts?: { demo?: boolean }): Promise<ApplicationView>;
  createApplication(actor: Actor, input: ApplicationInput, opts: { demo?: boolean } & Unanswered): Promise<{ id: number }>;
  async createApplication(actor: Actor, input: ApplicationInput, opts: { demo?: boolean; answer?: false } = {}): Promise<{ id: number }> {
    if (actor.role !== 'vendor' || actor.vendorId === null) throw new AppError('forbidden', 'errors.wrong_role');
    return writeTransaction(this.db, async (trx) => {
      const vendor = await findVendor(trx, actor.vendorId as number);
      if (!vendor || vendor.status !== 'approved') throw new AppError('forbidden', 'recognition.vendor_not_approved');
      await checkListEntry(trx, input);
      const now = this.now();
      const id = await insertApplication(trx, draftRow(actor, vendor.id, input, now, opts.demo ?? false));
      const applicationNo = applicationNumber(shanghaiDay(this.clock.now()).slice(0, 4), id);
      await updateApplication(trx, id, null, { application_no: applicationNo });
      const records = createRecords(actor, id, applicationNo, input.productName, now);
      await insertHistory(trx, records.history);
      await recordAudit(trx, this.clock, records.audit);
      return opts.answer === false ? { id } : this.view(trx, actor, id);
    });
  }

  /**
   * The vendor corrects its draft (the same shape as creating it: product, model, kind, field, level, list entry,
   * indicators, description) — only its own, only while it is a draft (409 after). On record: history and audit.
   */
  async updateDraft(actor: Actor, id: number, input: ApplicationInput): Promise<ApplicationView> {
    return this.command(actor, id, 'application.own', async (trx, a) => {
      // The row is locked by `command`: a draft now is a draft when written.
      if (a.status !== 'draft') throw invalidState(VENDOR_APPLICATION.wrongStateKey(a.status), { status: a.status, action: 'edit' });
      await checkListEntry(trx, input);
      const before = { productName: a.product_name, model: a.model, kind: a.kind, field: a.field, levelClaimed: a.level_claimed, listEntryId: a.list_entry_id, indicators: this.indicatorsOf(a), description: a.description };
      const now = this.now();
      const patch = { ...draftFields(input), updated_at: now };
      await updateApplication(trx, id, 'draft', patch);
      Object.assign(a, patch);
      await insertHistory(trx, { application_id: id, action: 'edit', from_status: 'draft', to_status: 'draft', actor_id: actor.id, note: null, at: now });
      await recordAudit(trx, this.clock, { actor, action: 'recognition.edit', entity: 'cert_application', entityId: id, before, after: { ...input, listEntryId: input.listEntryId ?? null } });
    });
  }

  async getApplication(actor: Actor, id: number): Promise<ApplicationView> {
    const db = executorFor(this.db);
    const a = await findApplication(db, id);
    if (!a) throw notFound('recognition.not_found');
    await this.authorize(db, actor, 'application.read', a);
    return this.view(db, actor, id, a);
  }

  async listApplications(actor: Actor, q: PageQuery): Promise<Page<ApplicationView>> {
    const db = executorFor(this.db);
    // API.md: own applications (vendor), any (admin), assigned (expert).
    let filter: { vendorId?: number; status?: ApplicationStatus; expertId?: number };
    if (actor.role === 'vendor' && actor.vendorId !== null) filter = { vendorId: actor.vendorId, status: q.status };
    else if (actor.role === 'admin') filter = { status: q.status };
    else if (actor.role === 'expert') filter = { expertId: (await this.expertOf(db, actor)).id, status: q.status };
    else throw new AppError('forbidden', 'errors.wrong_role');
    const { rows, total } = await listApplications(db, filter, q.pageSize, (q.page - 1) * q.pageSize);
    const items: ApplicationView[] = [];
    for (const r of rows) items.push(await this.view(db, actor, r.id, r));
    return { items, total, page: q.page, pageSize: q.pageSize };
  }

  /** The registrar's runner for both desks' tables (transitions.ts). */
  run(step: string, actor: Actor, id: number, input: unknown): Promise<ApplicationView & { experts?: Array<{ id: number; name: string; unit: string; username: string | null }> }> {
    const steps: Record<string, () => Promise<ApplicationView & { experts?: Array<{ id: number; name: string; unit: string; username: string | null }> }>> = {
      submit: () => this.submit(actor, id),
      screen: () => this.screen(actor, id, input as ScreenInput),
      experts: () => this.drawExperts(actor, id, input as DrawInput),
      top_up: () => this.topUp(actor, id),
      recommend: () => this.recommend(actor, id),
    };
    const take = steps[step];
    if (!take) throw new Error(`recognition: no runner for step ${step}`);
    return take();
  }

  /** → submitted. On the standard track every indicator of the list entry must meet its threshold (422 naming it). */
  submit(actor: Actor, id: number): Promise<ApplicationView>;
  submit(actor: Actor, id: number, opts: Unanswered): Promise<void>;
  submit(actor: Actor, id: number, opts?: Unanswered): Promise<unknown> {
    return this.command(actor, id, 'application.own', async (trx, a) => {
      await this.step(trx, actor, a, 'submit', { submitted_at: this.now() });
      if (a.list_entry_id !== null) {
        const entry = await findListEntry(trx, a.list_entry_id);
        if (!entry) throw invalidField('listEntryId', 'recognition.list_entry_unknown', { id: a.list_entry_id });
        checkIndicators(entry, this.indicatorsOf(a));
      }
    }, opts);
  }

  /** 形式审查: passed → expert review; refused → rejected, with the opinion. */
  screen(actor: Actor, id: number, input: ScreenInput): Promise<ApplicationView>;
  screen(actor: Actor, id: number, input: ScreenInput, opts: Unanswered): Promise<void>;
  screen(actor: Actor, id: number, input: ScreenInput, opts?: Unanswered): Promise<unknown> {
    return this.command(actor, id, 'application.manage', async (trx, a) => {
      await this.step(trx, actor, a, 'screen', { screen_opinion: input.opinion ?? null, ...(input.passed ? {} : { decided_at: this.now() }) }, input.opinion ?? null, input.passed ? undefined : 'rejected');
    }, opts);
  }

  /** The draw: `count` experts of the field at random, never from the applicant's own unit; on record. */
  drawExperts(actor: Actor, id: number, input: DrawInput): Promise<ApplicationView & { experts: DrawnExpert[] }>;
  drawExperts(actor: Actor, id: number, input: DrawInput, opts: Unanswered): Promise<{ experts: DrawnExpert[] }>;
  async drawExperts(actor: Actor, id: number, input: DrawInput, opts?: Unanswered): Promise<{ experts: DrawnExpert[] }> {
    let drawn: DrawnExpert[] = [];
    const view = await this.command(
      actor,
      id,
      'application.manage',
      async (trx, a) => {
        await this.step(trx, actor, a, 'experts', {}, `${input.count}`, 'expert_review');
        drawn = await this.draw(trx, actor, a, input.count, 'draw');
      },
      opts,
    );
    return { ...view, experts: drawn };
  }

  /**
   * 补抽: a panel left below MIN_PANEL by conflicts that found no replacement is drawn up to it again, from the pool
   * as it is now (409 naming how many are eligible while it is still too small; nothing is written then).
   */
  topUp(actor: Actor, id: number): Promise<ApplicationView>;
  topUp(actor: Actor, id: number, opts: Unanswered): Promise<void>;
  topUp(actor: Actor, id: number, opts?: Unanswered): Promise<unknown> {
    return this.command(
      actor,
      id,
      'application.manage',
      async (trx, a) => {
        const missing = MIN_PANEL - (await this.facts(trx, a)).panel;
        await this.step(trx, actor, a, 'top_up', {}, `${missing}`, 'expert_review');
        await this.draw(trx, actor, a, missing, 'replacement');
      },
      opts,
    );
  }

  private async draw(trx: Executor, actor: Actor, a: ApplicationDetailRow, count: number, reason: 'draw' | 'replacement') {
    const taken = new Set((await reviewsOf(trx, a.id)).map((r) => r.expert_id));
    const pool = drawPool(await activeExperts(trx), a, taken);
    if (pool.length < count) throw new AppError('conflict', 'recognition.too_few_experts', { eligible: pool.length, count });
    const chosen = drawFrom(pool, count, this.randomInt);
    const records = drawRecords(actor, a.id, reason, count, pool, chosen, this.now());
    const drawId = await insertDraw(trx, records.draw);
    await insertReviews(trx, records.reviews(drawId));
    await recordAudit(trx, this.clock, records.audit(drawId));
    return chosen.map((e) => ({ id: e.id, name: e.name, unit: e.unit, username: e.username }));
  }

  /** Mean ≥ 70 → recommended at the experts' majority level; else rejected. */
  recommend(actor: Actor, id: number): Promise<ApplicationView>;
  recommend(actor: Actor, id: number, opts: Unanswered): Promise<void>;
  recommend(actor: Actor, id: number, opts?: Unanswered): Promise<unknown> {
    return this.command(actor, id, 'application.manage', async (trx, a) => {
      const scored = (await reviewsOf(trx, a.id)).filter((r) => r.status === 'scored');
      const facts = await this.facts(trx, a);
      // The guard first (409 while reviews are pending), then the outcome from the scores.
      nextStatus('recommend', a.status, facts);
      const { meanX100, pass, level } = panelVerdict(scored);
      const patch = pass ? { mean_score_x100: meanX100, recommended_level: level } : { mean_score_x100: meanX100, decided_at: this.now() };
      await this.step(trx, actor, a, 'recommend', patch, `${(meanX100 / 100).toFixed(2)}`, pass ? 'recommended' : 'rejected');
    }, opts);
  }

  // ——— attachments (test reports, user reports, IP) ———

  /**
   * The vendor adds a file to its draft: PDF, JPEG or PNG by its bytes, at most 10 MB (422/413 naming `file`), at
   * most MAX_ATTACHMENTS; kept in the database under a random name.
   */
  addAttachment(actor: Actor, id: number, input: { kind: AttachmentKind; name: string; data: Buffer }, opts: { demo?: boolean } = {}): Promise<ApplicationView> {
    return this.command(actor, id, 'application.own', async (trx, a) => {
      const type = checkAttachment(input.data);
      if (a.status !== 'draft') throw invalidState('recognition.attachments_locked', { status: a.status });
      if ((await attachmentsOf(trx, a.id)).length >= MAX_ATTACHMENTS) throw invalidState('recognition.too_many_attachments', { n: MAX_ATTACHMENTS });
      const at = this.now();
      const filename = cleanFilename(input.name, type.ext);
      const hash = sha256(input.data);
      const fileId = await insertAttachment(trx, { application_id: a.id, kind: input.kind, stored_name: randomStoredName(), filename, content_type: type.type, size: input.data.length, sha256: hash, data: input.data, uploaded_by: actor.id, demo: opts.demo ?? false, created_at: at });
      await insertHistory(trx, { application_id: a.id, action: 'attachment_add', from_status: a.status, to_status: a.status, actor_id: actor.id, note: filename, at });
      await recordAudit(trx, this.clock, { actor, action: 'recognition.attachment_add', entity: 'cert_application', entityId: a.id, after: { attachmentId: fileId, kind: input.kind, filename, contentType: type.type, size: input.data.length, sha256: hash } });
    });
  }

  /** The vendor takes a file off its draft. */
  removeAttachment(actor: Actor, id: number, attachmentId: number): Promise<ApplicationView> {
    return this.command(actor, id, 'application.own', async (trx, a) => {
      const f = await findAttachment(trx, a.id, attachmentId);
      if (!f) throw notFound('recognition.attachment_not_found');
      if (a.status !== 'draft') throw invalidState('recognition.attachments_locked', { status: a.status });
      if (!(await deleteAttachment(trx, f.id))) throw notFound('recognition.attachment_not_found');
      const at = this.now();
      await insertHistory(trx, { application_id: a.id, action: 'attachment_remove', from_status: a.status, to_status: a.status, actor_id: actor.id, note: f.filename, at });
      await recordAudit(trx, this.clock, { actor, action: 'recognition.attachment_remove', entity: 'cert_application', entityId: a.id, before: { attachmentId: f.id, filename: f.filename, sha256: f.sha256 } });
    });
  }

  /** One file, for whoever may read the application: the applicant, the department, the experts drawn to it. */
  async attachment(actor: Actor, id: number, attachmentId: number): Promise<{ filename: string; contentType: string; data: Buffer }> {
    const db = executorFor(this.db);
    const a = await findApplication(db, id);
    if (!a) throw notFound('recognition.not_found');
    await this.authorize(db, actor, 'application.read', a);
    const f = await findAttachment(db, a.id, attachmentId);
    if (!f) throw notFound('recognition.attachment_not_found');
    return { filename: f.filename, contentType: f.content_type, data: await attachmentData(db, f.id) };
  }

  // ——— the experts' side ———

  private async expertOf(db: Executor, actor: Actor): Promise<ExpertRow> {
    if (actor.role !== 'expert') throw new AppError('forbidden', 'errors.wrong_role');
    const e = await findExpertOfUser(db, actor.id);
    if (!e) throw new AppError('forbidden', 'recognition.not_in_pool');
    return e;
  }

  /** The applications drawn to the expert (a conflict declared takes one off the list). */
  /** The reviews drawn to the calling expert, newest first: all of them, or one page (`GET /api/v1/expert/reviews`). */
  async myReviews(actor: Actor, paging?: { page: number; pageSize: number }) {
    const db = executorFor(this.db);
    const e = await this.expertOf(db, actor);
    const [rows, total] = await Promise.all([
      reviewsOfExpert(db, e.id, paging && { limit: paging.pageSize, offset: (paging.page - 1) * paging.pageSize }),
      paging ? countReviewsOfExpert(db, e.id) : null,
    ]);
    return {
      ...(paging ? { total: total as number, page: paging.page, pageSize: paging.pageSize } : {}),
      items: rows.map((r) => ({
        applicationId: r.application_id,
        applicationNo: r.application_no,
        productName: r.product_name,
        model: r.model,
        vendor: r.vendor_name,
        field: r.field,
        kind: r.kind,
        levelClaimed: r.level_claimed,
        applicationStatus: r.application_status,
        status: r.status,
        score: r.score,
        recommendLevel: r.recommend_level,
        opinion: r.opinion,
        reviewedAt: r.reviewed_at ? shanghaiIso(new Date(r.reviewed_at)) : null,
      })),
    };
  }

  /** An expert scores an application drawn to them, or declares a conflict (replaced at once by a new draw). */
  review(actor: Actor, applicationId: number, input: ReviewInput): Promise<ApplicationView>;
  review(actor: Actor, applicationId: number, input: ReviewInput, opts: Unanswered): Promise<void>;
  async review(actor: Actor, applicationId: number, input: ReviewInput, opts?: Unanswered): Promise<unknown> {
    return writeTransaction(this.db, async (trx) => {
      const e = await this.expertOf(trx, actor);
      const a = await findApplication(trx, applicationId, { lock: true });
      if (!a) throw notFound('recognition.not_found');
      const mine = (await reviewsOf(trx, a.id)).find((r) => r.expert_id === e.id);
      if (!mine) throw new AppError('forbidden', 'recognition.not_drawn');
      if (mine.status === 'conflict') throw new AppError('forbidden', 'recognition.not_drawn_conflict');
      if (a.status !== 'expert_review') throw invalidState(`recognition.wrong_state_${a.status}`, { status: a.status });
      if (mine.status === 'scored') throw invalidState('recognition.already_reviewed');
      const at = this.now();
      if (input.conflict) {
        if (!(await updateReview(trx, mine.id, 'assigned', { status: 'conflict', opinion: input.opinion ?? null, reviewed_at: at }))) throw invalidState('recognition.already_reviewed');
        await insertHistory(trx, { application_id: a.id, action: 'conflict_declared', from_status: a.status, to_status: a.status, actor_id: actor.id, note: null, at });
        await recordAudit(trx, this.clock, { actor, action: 'recognition.conflict', entity: 'cert_application', entityId: a.id, after: { expertId: e.id } });
        // A conflict is always recorded, replacement or not: an expert may never be kept on a panel by an empty pool.
        // With no one left to draw, the panel is one short; below MIN_PANEL the department tops it up (补抽) once the
        // pool has grown, and cannot recommend before.
        let replacementDrawn = true;
        try {
          await this.draw(trx, actor, a, 1, 'replacement');
        } catch (err) {
          // `draw` refuses before writing anything.
          if (!(err instanceof AppError) || err.messageKey !== 'recognition.too_few_experts') throw err;
          replacementDrawn = false;
          await insertHistory(trx, { application_id: a.id, action: 'replacement_unavailable', from_status: a.status, to_status: a.status, actor_id: actor.id, note: null, at });
        }
        return { ...(await this.view(trx, actor, a.id, undefined, { afterConflict: true })), replacementDrawn };
      }
      const records = reviewRecords(actor, a.id, a.status, e.id, input, at);
      if (!(await updateReview(trx, mine.id, 'assigned', records.patch))) throw invalidState('recognition.already_reviewed');
      await insertHistory(trx, records.history);
      await recordAudit(trx, this.clock, records.audit);
      return opts?.answer === false ? undefined : this.view(trx, actor, a.id);
    });
  }

  // ——— rounds and their 公示 ———

  /** Publishes the 拟认定名单 (type `certification`, ≥ 5 working days); every application must be recommended. */
  async createRound(actor: Actor, input: RoundInput, opts: { demo?: boolean; objectionPath?: (id: number) => string } = {}): Promise<{ id: number; noticeId: number; periodEndsAt: string; year: number; applications: number }> {
    mayManage(actor);
    return writeTransaction(this.db, async (trx) => {
      const found = new Map((await applicationsByIds(trx, input.applicationIds, { lock: true })).map((a) => [Number(a.id), a]));
      const apps = input.applicationIds.map((id, i) => {
        const a = found.get(id);
        if (!a) throw invalidField(`applicationIds.${i}`, 'recognition.application_unknown', { id });
        if (a.status !== 'recommended') throw invalidState('recognition.not_recommended', { applicationNo: a.application_no ?? String(id), status: a.status });
        return a;
      });
      const now = this.clock.now();
      const period = noticePeriod(now, ROUND_NOTICE_WORKING_DAYS);
      const roundId = await insertRound(trx, { year: input.year, status: 'notice', published_at: now.toISOString(), period_ends_at: period.endsAt.toISOString(), finalized_at: null, created_by: actor.id, demo: opts.demo ?? false });
      await this.moveAll(trx, actor, 'enter_round', apps.map((a) => ({ a, patch: { round_id: roundId }, note: `#${roundId}` })));
      const howTo = (opts.objectionPath ?? ((id: number) => `/api/v1/certification-rounds/${id}/objections`))(roundId);
      const content = {
        roundId,
        year: input.year,
        list: apps.map((a) => ({
          applicationId: a.id,
          applicationNo: a.application_no,
          productName: a.product_name,
          model: a.model,
          enterprise: a.vendor_name,
          city: a.vendor_city,
          kind: a.kind,
          field: a.field,
          level: a.recommended_level,
          track: a.list_entry_id !== null ? 'standard' : 'free',
        })),
        period: { publishedAt: shanghaiIso(now), startsOn: period.firstDay, endsOn: period.lastDay, endsAt: shanghaiIsoSeconds(period.endsAt), workingDays: period.workingDays },
        objections: { howTo },
        publisher: DEPARTMENT,
      };
      const noticeId = await insertNotice(trx, {
        round_id: roundId,
        type: 'certification',
        title: `${input.year}年度浙江省首台（套）产品拟认定名单公示`,
        content: JSON.stringify(content),
        published_at: now.toISOString(),
        period_ends_at: period.endsAt.toISOString(),
      });
      await recordAudit(trx, this.clock, { actor, action: 'recognition.round_publish', entity: 'cert_round', entityId: roundId, after: { year: input.year, applications: apps.map((a) => a.id), applicationNos: apps.map((a) => a.application_no), noticeId } });
      return { id: roundId, noticeId, periodEndsAt: shanghaiIsoSeconds(period.endsAt), year: input.year, applications: apps.length };
    });
  }

  async rounds(actor: Actor) {
    mayManage(actor);
    const db = executorFor(this.db);
    const out = [];
    for (const r of await listRounds(db)) out.push(await this.roundView(db, r.id));
    return { items: out };
  }

  async round(actor: Actor, id: number) {
    mayManage(actor);
    return this.roundView(executorFor(this.db), id);
  }

  private async roundView(db: Executor, id: number) {
    const r = await findRound(db, id);
    if (!r) throw notFound('recognition.round_not_found');
    const notice = await noticeOfRound(db, id);
    const apps = await applicationsOfRound(db, id);
    return {
      id: r.id,
      year: r.year,
      status: r.status,
      noticeId: notice?.id ?? null,
      publishedAt: shanghaiIso(new Date(r.published_at)),
      periodEndsAt: shanghaiIsoSeconds(new Date(r.period_ends_at)),
      finalizedAt: r.finalized_at ? shanghaiIso(new Date(r.finalized_at)) : null,
      applications: apps.map((a) => ({ id: a.id, applicationNo: a.application_no, productName: a.product_name, enterprise: a.vendor_name, level: a.recommended_level, status: a.status, certNo: a.cert_no })),
      objections: (await objectionsOf(db, id)).map((o) => ({ id: o.id, applicationId: o.application_id, name: o.name, organization: o.organization, content: o.content, status: o.status, opinion: o.opinion, createdAt: shanghaiIso(new Date(o.created_at)) })),
    };
  }

  /** Public: the certification notices (公示 of the 拟认定名单). */
  async notices(q: { page: number; pageSize: number }) {
    const { rows, total } = await listNotices(executorFor(this.db), q.pageSize, (q.page - 1) * q.pageSize);
    return {
      items: rows.map((n) => ({ id: n.id, type: n.type, title: n.title, roundId: n.round_id, publishedAt: shanghaiIso(new Date(n.published_at)), periodEndsAt: n.period_ends_at ? shanghaiIsoSeconds(new Date(n.period_ends_at)) : null })),
      total,
      page: q.page,
      pageSize: q.pageSize,
    };
  }

  async notice(id: number) {
    const db = executorFor(this.db);
    const n = await findNotice(db, id);
    if (!n) throw notFound('notices.not_found');
    const r = (await findRound(db, n.round_id))!;
    const open = r.status === 'notice' && this.clock.now().getTime() <= new Date(r.period_ends_at).getTime();
    return {
      id: n.id,
      type: n.type,
      title: n.title,
      roundId: n.round_id,
      publishedAt: shanghaiIso(new Date(n.published_at)),
      periodEndsAt: n.period_ends_at ? shanghaiIsoSeconds(new Date(n.period_ends_at)) : null,
      objectionsOpen: open,
      content: JSON.parse(n.content) as Record<string, unknown>,
    };
  }

  /** Anyone, during the notice period only (after it → 409), as for single source. */
  /** Whether the round takes objections now: not found (404), its period over (409). Read alone by the route when the body is refused. */
  private objectionWindow(r: RoundRow | undefined, now: Date): RoundRow {
    if (!r) throw notFound('recognition.round_not_found');
    if (r.status !== 'notice' || now.getTime() > new Date(r.period_ends_at).getTime()) {
      throw invalidState('recognition.objection_period_over', { endsAt: shanghaiIsoSeconds(new Date(r.period_ends_at)) });
    }
    return r;
  }

  /** The refusal an objection to this round would get whatever its body (API.md's order: 404, 409 before 422). */
  async checkObjectionWindow(roundId: number): Promise<void> {
    this.objectionWindow(await findRound(executorFor(this.db), roundId), this.clock.now());
  }

  async fileObjection(actor: Actor | null, roundId: number, input: ObjectionInput): Promise<{ id: number; roundId: number; status: 'open'; createdAt: string }> {
    return writeTransaction(this.db, async (trx) => {
      const now = this.clock.now();
      this.objectionWindow(await findRound(trx, roundId, { lock: true }), now);
      const applicationId = input.applicationId ?? null;
      if (applicationId !== null && !(await applicationsOfRound(trx, roundId)).some((a) => a.id === applicationId)) {
        throw invalidField('applicationId', 'recognition.application_not_in_round', { id: applicationId });
      }
      const at = now.toISOString();
      const id = await insertObjection(trx, { round_id: roundId, application_id: applicationId, name: input.name, organization: input.organization, contact: input.contact, content: input.content, status: 'open', opinion: null, resolved_by: null, resolved_at: null, created_at: at });
      await recordAudit(trx, this.clock, { actor: actor ?? PUBLIC_ACTOR, action: 'recognition.objection_file', entity: 'cert_objection', entityId: id, after: { roundId, applicationId } });
      return { id, roundId, status: 'open' as const, createdAt: shanghaiIso(now) };
    });
  }

  /** The department's ruling; upheld takes the application named out of the round (rejected). */
  /** The round and its open objection, or the refusal: either not found (404), already ruled on or the round closed (409). */
  private async openObjection(db: Executor, roundId: number, objectionId: number, lock: boolean) {
    const r = await findRound(db, roundId, { lock });
    if (!r) throw notFound('recognition.round_not_found');
    const o = await findObjection(db, roundId, objectionId);
    if (!o) throw notFound('recognition.objection_not_found');
    if (o.status !== 'open') throw invalidState('recognition.objection_resolved', { status: o.status });
    if (r.status !== 'notice') throw invalidState('recognition.round_finalized');
    return { r, o };
  }

  /** The refusal a ruling on this objection would get whatever its body (API.md's order: 404, 409 before 422). */
  async checkOpenObjection(actor: Actor, roundId: number, objectionId: number): Promise<void> {
    mayManage(actor);
    await this.openObjection(executorFor(this.db), roundId, objectionId, false);
  }

  async resolveObjection(actor: Actor, roundId: number, objectionId: number, input: ResolveInput) {
    mayManage(actor);
    await writeTransaction(this.db, async (trx) => {
      const { o } = await this.openObjection(trx, roundId, objectionId, true);
      const named = o.application_id ?? input.applicationId ?? null;
      if (input.upheld && named === null) throw invalidField('applicationId', 'recognition.upheld_needs_application');
      if (input.upheld && o.application_id === null && !(await applicationsOfRound(trx, roundId)).some((x) => x.id === named)) {
        throw invalidField('applicationId', 'recognition.application_not_in_round', { id: named as number });
      }
      const at = this.now();
      const status = input.upheld ? 'upheld' : 'dismissed';
      if (!(await resolveObjectionRow(trx, o.id, { status, opinion: input.opinion, resolved_by: actor.id, resolved_at: at }))) throw invalidState('recognition.objection_resolved', { status: 'resolved' });
      await recordAudit(trx, this.clock, { actor, action: 'recognition.objection_resolve', entity: 'cert_objection', entityId: o.id, before: { status: 'open' }, after: { status, opinion: input.opinion } });
      if (input.upheld) {
        const a = await findApplication(trx, named as number, { lock: true });
        if (a && a.status === 'in_round') await this.move(trx, actor, a, 'objection_upheld', { decided_at: at }, input.opinion);
      }
    });
    return this.round(actor, roundId);
  }

  /**
   * After the period, every objection resolved: each application left in the round becomes a valid certificate in the
   * registry (valid 3 years from today), and its award falls due (funded into the award fund; finance pays it).
   */
  async finalizeRound(actor: Actor, id: number, opts: { registered?: ReadonlyMap<number, number> } = {}) {
    mayManage(actor);
    await writeTransaction(this.db, async (trx) => {
      const r = await findRound(trx, id, { lock: true });
      if (!r) throw notFound('recognition.round_not_found');
      if (r.status !== 'notice') throw invalidState('recognition.round_finalized');
      const now = this.clock.now();
      if (now.getTime() <= new Date(r.period_ends_at).getTime()) throw invalidState('recognition.guard_notice_running', { endsAt: shanghaiIsoSeconds(new Date(r.period_ends_at)) });
      const open = (await objectionsOf(trx, id)).filter((o) => o.status === 'open').length;
      if (open > 0) throw invalidState('recognition.guard_objections_open', { n: open });
      if (!(await updateRound(trx, id, 'notice', { status: 'finalized', finalized_at: now.toISOString() }))) throw invalidState('recognition.round_finalized');
      const today = shanghaiDay(now);
      const validUntil = addDays(`${Number(today.slice(0, 4)) + VALIDITY_YEARS}${today.slice(4)}`, -1);
      const amounts = await this.awardAmounts(trx);
      const inRound = (await applicationsOfRound(trx, id)).filter((x) => x.status === 'in_round');
      const registered = inRound.flatMap((a) => (opts.registered?.has(a.id) ? [opts.registered.get(a.id)!] : []));
      const held = new Map((await certificatesByIds(trx, registered)).map((c) => [Number(c.id), c]));
      const certified: Array<{ a: ApplicationDetailRow; cert: { id: number; cert_no: string }; level: Level }> = [];
      // New certificates take the registry's numbers, next in the round's year (ZJ-STT-2026-0263).
      let lastSeq: number | null = null;
      const nextNumber = async (kind: Kind): Promise<string> => {
        lastSeq = (lastSeq ?? (await lastCertificateSeq(trx, r.year))) + 1;
        return certificateNumber(kind, r.year, lastSeq);
      };
      for (const a of inRound) {
        const level = (a.recommended_level ?? a.level_claimed) as Level;
        // A certificate the registry already holds for this product (entered before the online process, e.g. by
        // import): the round confirms it instead of issuing a second one — same enterprise, kind and level, or refused.
        const registeredId = opts.registered?.get(a.id);
        let cert: { id: number; cert_no: string };
        if (registeredId !== undefined) {
          const c = held.get(registeredId);
          if (!c || c.credit_code !== a.vendor_credit_code || c.level !== level || c.kind !== a.kind) {
            throw invalidState('recognition.registered_mismatch', { applicationNo: a.application_no ?? String(a.id) });
          }
          cert = c;
        } else {
          const entry = a.list_entry_id !== null ? await findListEntry(trx, a.list_entry_id) : undefined;
          const thresholds = entry ? listEntryView(entry).indicators : [];
          const indicators = this.indicatorsOf(a).map((v) => {
            const t = thresholds.find((x) => normalized(x.name) === normalized(v.name));
            return t ? `${v.name} ${v.value}${t.unit}（清单要求 ${requirementText(t)}）` : `${v.name} ${v.value}`;
          });
          cert = await issueCertificate(trx, this.clock, actor, {
            certNo: await nextNumber(a.kind as Kind),
            productName: a.product_name,
            enterpriseName: a.vendor_name,
            creditCode: a.vendor_credit_code,
            kind: a.kind as 'equipment',
            level,
            field: a.field,
            year: r.year,
            validUntil,
            indicators,
            keySupported: false,
          });
        }
        certified.push({ a, cert, level });
      }
      await this.moveAll(trx, actor, 'certify', certified.map(({ a, cert }) => ({ a, patch: { cert_id: cert.id, cert_no: cert.cert_no, decided_at: now.toISOString() }, note: cert.cert_no })));
      const due = certified.filter((c) => amounts[c.level] > 0);
      const awardIds = await insertAwards(
        trx,
        due.map(({ a, level }) => ({ application_id: a.id, vendor_id: a.vendor_id, level, amount_fen: amounts[level], status: 'due' as const, due_at: daysAfter(now, AWARD_DAYS).toISOString(), paid_at: null, paid_by: null, transfer_id: null, year: r.year, demo: r.demo, created_at: now.toISOString() })),
      );
      await recordAudit(trx, this.clock, { actor, action: 'recognition.round_finalize', entity: 'cert_round', entityId: id, before: { status: 'notice' }, after: { status: 'finalized', awards: due.length } });
      // The ledger last: the treasury funds each award in the award fund (not a trade), in one batch.
      await this.ledger.fundAwards(trx, due.map((c, i) => ({ amountFen: amounts[c.level], key: `award:${awardIds[i]}:fund` })), actor.id);
    });
    return this.round(actor, id);
  }

  // ——— a year's figures (the report page, src/reports) ———

  /**
   * The year's indicator list and what came of it: the list's entries of that year, the applications certified by the
   * standard (list) track in that year's rounds, and the awards that fell due for that year's certificates (due or
   * paid; an award is never withdrawn once due).
   */
  yearFigures(year: number): Promise<{ year: number; listEntries: number; certifiedByList: number; awardsFen: number }> {
    return yearFiguresOf(executorFor(this.db), year);
  }

  /** The statistics page and JSON (the department): applications, certificates, the list's track, awards (stats.ts). */
  statistics(actor: Actor, t: Translator, year?: number): Promise<CertificationStats> {
    mayManage(actor);
    return certificationStats(executorFor(this.db), t, year);
  }

  // ——— awards (奖励) ———

  private async awardAmounts(db: Executor): Promise<Record<Level, number>> {
    return { ...DEFAULT_AWARDS_FEN, ...((await readAwardSetting(db)) ?? {}) } as Record<Level, number>;
  }

  async awardSettings(actor: Actor): Promise<Record<Level, string>> {
    mayManage(actor);
    const a = await this.awardAmounts(executorFor(this.db));
    return { international: money(a.international), domestic: money(a.domestic), provincial: money(a.provincial) };
  }

  async setAwardSettings(actor: Actor, input: AwardSettingsInput): Promise<Record<Level, string>> {
    mayManage(actor);
    await writeTransaction(this.db, async (trx) => {
      const before = await this.awardAmounts(trx);
      await writeAwardSetting(trx, { ...input }, this.now());
      await recordAudit(trx, this.clock, { actor, action: 'recognition.award_settings', entity: 'settings', entityId: null, before, after: { ...input } });
    });
    return this.awardSettings(actor);
  }

  /** Finance: the awards due (oldest deadline first), overdue marked. */
  async awardsDue(actor: Actor, q: { page: number; pageSize: number; status?: 'due' | 'paid' }) {
    requireRole(actor, 'finance');
    const { rows, total } = await listAwards(executorFor(this.db), { status: q.status ?? 'due' }, q.pageSize, (q.page - 1) * q.pageSize);
    const now = this.clock.now().getTime();
    return {
      items: rows.map((w) => ({
        id: w.id,
        vendor: { id: w.vendor_id, name: w.vendor_name },
        amount: money(Number(w.amount_fen)),
        level: w.level,
        year: w.year,
        applicationNo: w.application_no,
        productName: w.product_name,
        certNo: w.cert_no,
        status: w.status,
        dueAt: shanghaiIsoSeconds(new Date(w.due_at)),
        overdue: w.status === 'due' && now > new Date(w.due_at).getTime(),
        paidAt: w.paid_at ? shanghaiIso(new Date(w.paid_at)) : null,
        // Paid, but after its 30 days: kept on record as late (as a claim's payout).
        paidLate: w.paid_at !== null && new Date(w.paid_at).getTime() > new Date(w.due_at).getTime(),
      })),
      total,
      page: q.page,
      pageSize: q.pageSize,
    };
  }

  /**
   * Finance pays one award: award fund → vendor, through the ledger. Idempotent by the award (API.md): asked again for
   * an award already paid, it moves nothing and answers as the first call did.
   */
  async payAward(actor: Actor, id: number): Promise<{ id: number; status: 'paid'; amount: string; paidAt: string; transferId: number }> {
    requireRole(actor, 'finance');
    return writeTransaction(this.db, async (trx) => {
      const w = await findAward(trx, id, { lock: true });
      if (!w) throw notFound('recognition.award_not_found');
      if (w.status === 'paid') {
        return { id, status: 'paid' as const, amount: money(Number(w.amount_fen)), paidAt: shanghaiIso(new Date(w.paid_at as string)), transferId: Number(w.transfer_id) };
      }
      const now = this.now();
      if (!(await updateAward(trx, id, 'due', { status: 'paid', paid_at: now, paid_by: actor.id }))) throw invalidState('recognition.award_paid');
      await recordAudit(trx, this.clock, awardPaid(actor, id, w.application_no, Number(w.amount_fen)));
      const t = await this.ledger.payAward(trx, w.vendor_id, Number(w.amount_fen), `award:${id}:pay`, actor.id);
      await updateAward(trx, id, 'paid', { transfer_id: t.id });
      return { id, status: 'paid' as const, amount: money(Number(w.amount_fen)), paidAt: shanghaiIso(new Date(now)), transferId: t.id };
    });
  }

  /**
   * A payment run (the demo loader's December 2020): finance pays several due awards at once, all or none, each as
   * payAward pays one — the award paid, its audit record, the transfer from the award fund to the enterprise — with
   * the statements of one (a batch the ledger cannot take whole throws and rolls back).
   */
  async payAwards(actor: Actor, ids: readonly number[]): Promise<Array<{ id: number; transferId: number }>> {
    requireRole(actor, 'finance');
    return writeTransaction(this.db, async (trx) => {
      const found = new Map((await awardsByIds(trx, ids, { lock: true })).map((w) => [Number(w.id), w]));
      const awards = ids.map((id) => {
        const w = found.get(id);
        if (!w) throw notFound('recognition.award_not_found');
        if (w.status === 'paid') throw invalidState('recognition.award_paid');
        return w;
      });
      const now = this.now();
      if ((await updateAwards(trx, awards.map((w) => ({ id: w.id, patch: { status: 'paid' as const, paid_at: now, paid_by: actor.id } })), 'due')) !== awards.length) throw invalidState('recognition.award_paid');
      await recordAudits(trx, this.clock, awards.map((w) => awardPaid(actor, w.id, w.application_no, Number(w.amount_fen))));
      const transfers = await this.ledger.payAwards(trx, awards.map((w) => ({ vendorId: w.vendor_id, amountFen: Number(w.amount_fen), key: `award:${w.id}:pay` })), actor.id);
      await updateAwards(trx, awards.map((w, i) => ({ id: w.id, patch: { transfer_id: transfers[i]!.id } })), 'paid');
      return awards.map((w, i) => ({ id: w.id, transferId: transfers[i]!.id }));
    });
  }

  // ——— the steps' common parts ———

  private indicatorsOf(a: ApplicationRow): IndicatorValue[] {
    return parseStoredArray(a.indicators, { table: 'cert_applications', column: 'indicators', id: a.id }) as IndicatorValue[];
  }

  private async authorize(db: Executor, actor: Actor, act: ApplicationAct, a: ApplicationRow): Promise<void> {
    const expert = actor.role === 'expert' ? await findExpertOfUser(db, actor.id) : undefined;
    const reviews = expert ? await reviewsOf(db, a.id) : [];
    const assigned = !!expert && reviews.some((r) => r.expert_id === expert.id && r.status !== 'conflict');
    // An expert who declared a conflict is told so (still a 403), not that it was never drawn to them.
    if (!assigned && expert && reviews.some((r) => r.expert_id === expert.id && r.status === 'conflict')) throw new AppError('forbidden', 'recognition.not_drawn_conflict');
    mayReadApplication(actor, act, { vendorId: a.vendor_id, assigned });
  }

  private command(actor: Actor, id: number, act: ApplicationAct, work: (trx: Executor, a: ApplicationDetailRow) => Promise<void>): Promise<ApplicationView>;
  private command(actor: Actor, id: number, act: ApplicationAct, work: (trx: Executor, a: ApplicationDetailRow) => Promise<void>, opts?: Unanswered): Promise<ApplicationView | undefined>;
  private command(actor: Actor, id: number, act: ApplicationAct, work: (trx: Executor, a: ApplicationDetailRow) => Promise<void>, opts?: Unanswered): Promise<ApplicationView | undefined> {
    return writeTransaction(this.db, async (trx) => {
      const a = await findApplication(trx, id, { lock: true });
      if (!a) throw notFound('recognition.not_found');
      await this.authorize(trx, actor, act, a);
      await work(trx, a);
      if (opts?.answer === false) return undefined;
      // Every change of the row above went through `apply`, which keeps `a` as written: no need to read it again.
      return this.view(trx, actor, id, a);
    });
  }

  private async facts(trx: Executor, a: ApplicationRow): Promise<ApplicationFacts> {
    const reviews = (await reviewsOf(trx, a.id)).filter((r) => r.status !== 'conflict');
    return { panel: reviews.length, scored: reviews.filter((r) => r.status === 'scored').length };
  }

  /** One step of the tables: the conditional update, its history row, its audit record. */
  private async step(trx: Executor, actor: Actor, a: ApplicationDetailRow, step: string, patch: Partial<ApplicationRow>, note: string | null = null, to?: ApplicationStatus): Promise<void> {
    const next = nextStatus(step, a.status, await this.facts(trx, a), to);
    await this.apply(trx, actor, a, step, next, patch, note);
  }

  /** A move that follows from a round (CASCADES). */
  private async move(trx: Executor, actor: Actor, a: ApplicationDetailRow, cascade: string, patch: Partial<ApplicationRow>, note: string | null): Promise<void> {
    const next = nextStatus(cascade, a.status, { panel: 0, scored: 0 });
    await this.apply(trx, actor, a, cascade, next, patch, note);
  }

  /** Moves that follow from a round for many applications at once (writeSteps). */
  private async moveAll(trx: Executor, actor: Actor, cascade: keyof typeof CASCADES, moves: ReadonlyArray<{ a: ApplicationDetailRow; patch: Partial<ApplicationRow>; note: string | null }>): Promise<void> {
    const at = this.now();
    const steps = moves.map((m) => ({ actor, a: m.a, action: cascade, to: nextStatus(cascade, m.a.status, { panel: 0, scored: 0 }), patch: m.patch, note: m.note, at }));
    await writeSteps(trx, this.clock, steps);
    for (const s of steps) Object.assign(s.a, s.patch, { status: s.to, updated_at: at });
  }

  private async apply(trx: Executor, actor: Actor, a: ApplicationDetailRow, action: string, to: ApplicationStatus, patch: Partial<ApplicationRow>, note: string | null): Promise<void> {
    const from = a.status;
    const at = this.now();
    const records = stepRecords(actor, a.id, action, from, to, note, at);
    // The conditional update, its history row and its audit record side by side (src/db/concurrently.ts); the update
    // first, so that when someone else moved the application first, that is what the caller hears.
    await concurrently(
      trx,
      async () => {
        if (!(await updateApplication(trx, a.id, from, { ...patch, status: to, updated_at: at }))) throw invalidState('recognition.changed_meanwhile');
      },
      () => insertHistory(trx, records.history),
      () => recordAudit(trx, this.clock, records.audit),
    );
    Object.assign(a, patch, { status: to, updated_at: at });
  }

  /**
   * The application as `actor` may see it. Reviews: the department sees everything (and the draws); an expert sees
   * their own review, and the others' scores only once theirs is in — never the others' names; the vendor sees the
   * scores and opinions once the panel has decided, and the experts' names only once the round is published.
   */
  private async view(db: Executor, actor: Actor, id: number, row?: ApplicationDetailRow, opts: { afterConflict?: boolean } = {}): Promise<ApplicationView> {
    const a = row ?? (await findApplication(db, id));
    if (!a) throw notFound('recognition.not_found');
    // The view's reads do not depend on each other: sent side by side (src/db/concurrently.ts).
    const [all, entry, me, historyRows, files, draws] = await concurrently(
      db,
      () => reviewsOf(db, a.id),
      async () => (a.list_entry_id !== null ? findListEntry(db, a.list_entry_id) : undefined),
      async () => (actor.role === 'expert' && !opts.afterConflict ? findExpertOfUser(db, actor.id) : undefined),
      () => historyOf(db, a.id),
      () => attachmentsOf(db, a.id),
      async () => (actor.role === 'admin' ? drawsOf(db, a.id) : []),
    );
    const panel = all.filter((r) => r.status !== 'conflict');
    let reviews: ReviewView[] = [];
    const full = (r: ReviewDetailRow, named: boolean): ReviewView => ({
      expert: named ? { id: r.expert_id, name: r.expert_name, unit: r.expert_unit, title: r.expert_title, username: r.username } : null,
      status: r.status,
      score: r.score,
      recommendLevel: r.recommend_level,
      opinion: r.opinion,
      reviewedAt: r.reviewed_at ? shanghaiIso(new Date(r.reviewed_at)) : null,
    });
    if (actor.role === 'admin') reviews = all.map((r) => full(r, true));
    else if (actor.role === 'expert' && !opts.afterConflict) {
      const mine = panel.find((r) => r.expert_id === me?.id);
      const done = mine?.status === 'scored';
      reviews = panel.filter((r) => r === mine || (done && r.status === 'scored')).map((r) => ({ ...full(r, r === mine), mine: r === mine }));
    } else if (actor.role === 'vendor') {
      const decided = ['recommended', 'in_round', 'certified'].includes(a.status) || (a.status === 'rejected' && a.mean_score_x100 !== null);
      if (decided) reviews = panel.filter((r) => r.status === 'scored').map((r) => full(r, a.round_id !== null));
    }
    const values = this.indicatorsOf(a);
    const missing: string[] = [];
    if (a.status === 'draft' && entry) {
      for (const ind of listEntryView(entry).indicators) if (!values.some((v) => normalized(v.name) === normalized(ind.name))) missing.push(ind.name);
    }
    const history = historyRows.map((h) => ({ action: h.action, from: h.from_status, to: h.to_status, note: h.note, at: shanghaiIso(new Date(h.at)) }));
    const view: ApplicationView = {
      id: a.id,
      applicationNo: a.application_no ?? '',
      status: a.status,
      vendor: { id: a.vendor_id, name: a.vendor_name, city: a.vendor_city },
      productName: a.product_name,
      model: a.model,
      kind: a.kind,
      field: a.field,
      levelClaimed: a.level_claimed,
      track: a.list_entry_id !== null ? 'standard' : 'free',
      listEntryId: a.list_entry_id,
      listEntry: entry ? listEntryView(entry) : null,
      indicators: values,
      description: a.description,
      screenOpinion: a.screen_opinion,
      meanScore: a.mean_score_x100 !== null && (actor.role !== 'expert' || reviews.some((r) => r.mine && r.status === 'scored')) ? (a.mean_score_x100 / 100).toFixed(2) : null,
      recommendedLevel: a.recommended_level,
      roundId: a.round_id,
      certNo: a.cert_no,
      submittedAt: a.submitted_at ? shanghaiIso(new Date(a.submitted_at)) : null,
      createdAt: shanghaiIso(new Date(a.created_at)),
      missing,
      history,
      reviews,
      // `short`: conflicts with no replacement left it below MIN_PANEL; the department tops it up (补抽).
      panel: { drawn: panel.length, scored: panel.filter((r) => r.status === 'scored').length, short: panel.length > 0 && panel.length < MIN_PANEL },
      attachments: files.map((f) => ({
        id: f.id,
        kind: f.kind,
        filename: f.filename,
        contentType: f.content_type,
        size: Number(f.size),
        sha256: f.sha256,
        uploadedAt: shanghaiIso(new Date(f.created_at)),
        url: `/api/v1/applications/${a.id}/attachments/${f.id}`,
      })),
    };
    if (actor.role === 'admin') {
      view.draws = draws.map((d) => ({
        id: d.id,
        reason: d.reason,
        count: d.count,
        pool: JSON.parse(d.pool) as number[],
        drawn: JSON.parse(d.drawn) as number[],
        drawnBy: d.drawn_by,
        drawnAt: shanghaiIso(new Date(d.drawn_at)),
      }));
    }
    return view;
  }
}
