import type { Locale, Translator } from '../i18n';
import { largeUnits, unitName } from '../i18n';
import { Money, formatLarge, formatYuan } from '../money';
import { amountInWords, formatDateTime, type PdfDocumentModel } from '../web';
import type { AwardLetter } from './notices';
import type { NoticeDetail } from './notice-service';

/**
 * The public notices and the 成交通知书 as printable documents (issue 18 item 1): the same items, in the same order
 * and under the same headings as their pages (views/notices/detail.hbs, views/first-purchase/award-letter.hbs), as a
 * model web/pdf.ts writes as a PDF. Stored notice content is a snapshot of its time: notices published before a
 * later item existed lack it, and the document leaves that item out as the page does.
 */

type Row = { label: string; value: string };
type Section = PdfDocumentModel['sections'][number];

const obj = (v: unknown): Record<string, unknown> => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {});
const str = (v: unknown): string => (typeof v === 'string' ? v : typeof v === 'number' ? String(v) : '');
const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);

interface Writer {
  t: Translator;
  locale: Locale;
  yuan(v: unknown): string;
  /** ¥ and the large-unit form: "¥11,200,000.00（1120万元）". */
  money(v: unknown): string;
  time(iso: unknown): string;
  /** A quantity with its unit of sale in the reader's language: "3 sets", "3 套". */
  quantity(n: unknown, unit: unknown): string;
}

function writer(t: Translator, locale: Locale): Writer {
  const units = largeUnits(t);
  const toMoney = (v: unknown): Money | null => (typeof v === 'string' && v !== '' ? Money.fromString(v) : typeof v === 'number' ? Money.ofFen(v) : null);
  return {
    t,
    locale,
    yuan: (v) => {
      const m = toMoney(v);
      return m ? formatYuan(m) : '';
    },
    money: (v) => {
      const m = toMoney(v);
      return m ? `${formatYuan(m)}（${formatLarge(m, units)}）` : '';
    },
    time: (iso) => formatDateTime(iso, locale),
    quantity: (n, unit) => `${str(n)} ${unitName(locale, str(unit), str(n))}`,
  };
}

function expertsTable(w: Writer, experts: unknown): Section['table'] {
  return {
    columns: [w.t('first_purchase.expert_name'), w.t('first_purchase.expert_unit'), w.t('first_purchase.expert_title')],
    rows: arr(experts).map((e) => [str(obj(e).name), str(obj(e).unit), str(obj(e).title)]),
  };
}

/** The contacts table (purchaser, any 代理机构, the finance department), or the older notices' one line. */
function contactsSection(w: Writer, contacts: Record<string, unknown>): Section {
  const heading = w.t('notices.s_contacts');
  if (!contacts.purchaserContact) {
    const rows: Row[] = [{ label: w.t('notices.purchaser_contact'), value: str(contacts.purchaser) }];
    if (contacts.purchaserUnit) rows.push({ label: w.t('notices.purchaser_unit_contact'), value: str(contacts.purchaserUnit) });
    return { heading, rows };
  }
  const line = (party: string, c: unknown) => [w.t(party), str(obj(c).name), str(obj(c).address), str(obj(c).contactPerson), str(obj(c).phone)];
  const rows = [line('notices.party_purchaser', contacts.purchaserContact)];
  if (contacts.agency) rows.push(line('notices.party_agency', contacts.agency));
  if (contacts.financeDepartment) rows.push(line('notices.party_finance', contacts.financeDepartment));
  return {
    heading,
    table: { columns: [w.t('notices.contact_party'), w.t('notices.contact_name'), w.t('fields.address'), w.t('notices.contact_person'), w.t('notices.contact_phone')], rows },
  };
}

/** The goods as both the 公示 and the result notice name them: name, model, quantity. */
const goodsRows = (w: Writer, goods: Record<string, unknown>): Row[] => [
  { label: w.t('notices.goods_name'), value: str(goods.name) },
  { label: w.t('fields.model'), value: str(goods.model) },
  { label: w.t('fields.quantity'), value: w.quantity(goods.quantity, goods.unit) },
];

function singleSource(w: Writer, c: Record<string, unknown>): Section[] {
  const { t } = w;
  const purchaser = obj(c.purchaser);
  const project = obj(c.project);
  const goods = obj(c.goods);
  const cert = obj(goods.certificate);
  const supplier = obj(c.supplier);
  const period = obj(c.period);
  const indicators = arr(cert.indicators).map(str);
  return [
    { heading: t('notices.s_purchaser'), paragraphs: [[str(purchaser.name), str(purchaser.address)].filter(Boolean).join(' · ')] },
    {
      heading: t('notices.s_project'),
      rows: [
        { label: t('fields.projectName'), value: str(project.name) },
        { label: t('fields.projectContent'), value: str(project.content) || '—' },
        { label: t('fields.budget'), value: w.money(project.budget) },
      ],
    },
    {
      heading: t('notices.s_goods'),
      rows: [
        ...goodsRows(w, goods),
        { label: t('fields.kind'), value: t(`kinds.${str(goods.kind)}`) },
        { label: t('fields.field'), value: t(`fieldnames.${str(goods.field)}`) },
        { label: t('fields.certNo'), value: `${str(cert.certNo)} · ${t(`levels.${str(cert.level)}`)} · ${str(cert.year)}` },
        { label: t('fields.validUntil'), value: str(cert.validUntil) },
        { label: t('notices.goods_description'), value: str(goods.description) },
        ...(indicators.length ? [{ label: t('catalogue.indicators'), value: indicators.join('\n') }] : []),
      ],
    },
    { heading: t('notices.s_reason'), paragraphs: [str(c.reason)] },
    {
      heading: t('notices.s_supplier'),
      rows: [
        { label: t('notices.supplier_name'), value: str(supplier.name) },
        { label: t('fields.address'), value: str(supplier.address) },
        { label: t('fields.creditCode'), value: str(supplier.creditCode) },
      ],
    },
    { heading: t('notices.s_experts'), paragraphs: [str(c.expertOpinion)], table: expertsTable(w, c.experts) },
    {
      heading: t('notices.s_period'),
      paragraphs: [t('notices.period_text', { from: str(period.startsOn), to: str(period.endsOn), days: str(period.workingDays) }), `${t('notices.period_ends_at')}${w.time(period.endsAt)}`],
    },
    contactsSection(w, obj(c.contacts)),
    { heading: t('notices.s_objection'), paragraphs: [t('notices.objection_rule', { reviewBy: str(obj(c.objections).reviewBy) })] },
  ];
}

function result(w: Writer, c: Record<string, unknown>): Section[] {
  const { t } = w;
  const purchaser = obj(c.purchaser);
  const supplier = obj(c.supplier);
  const goods = obj(c.goods);
  const negotiation = obj(c.negotiation);
  const staff = arr(c.procurementStaff).map(str);
  const contacts = obj(c.contacts);
  return [
    {
      heading: t('notices.s_project'),
      rows: [
        { label: t('fields.projectName'), value: str(obj(c.project).name) },
        { label: t('notices.s_purchaser'), value: str(purchaser.name) },
        ...(purchaser.address ? [{ label: t('notices.purchaser_address'), value: str(purchaser.address) }] : []),
        { label: t('notices.procurement_method'), value: t('notices.single_source_method') },
      ],
    },
    {
      heading: t('notices.r_supplier'),
      rows: [
        { label: t('notices.supplier_name'), value: str(supplier.name) },
        { label: t('fields.address'), value: str(supplier.address) },
        { label: t('notices.award_amount'), value: w.money(c.amount) },
      ],
    },
    {
      heading: t('notices.r_goods'),
      rows: [
        ...goodsRows(w, goods),
        { label: t('fields.price'), value: w.yuan(goods.unitPrice) },
      ],
    },
    staff.length ? { heading: t('notices.r_staff'), paragraphs: [staff.join('、')] } : { heading: t('notices.r_experts'), table: expertsTable(w, c.experts) },
    {
      heading: t('notices.r_dates'),
      rows: [
        { label: t('notices.negotiated_on'), value: `${str(negotiation.date)} · ${str(negotiation.place)}` },
        { label: t('notices.determined_on'), value: str(c.determinedOn) },
        { label: t('notices.publish_by'), value: str(c.publishBy) },
        { label: t('notices.purchaser_contact'), value: str(contacts.purchaser) },
      ],
    },
    ...(contacts.purchaserContact ? [contactsSection(w, contacts)] : []),
  ];
}

function contract(w: Writer, c: Record<string, unknown>): Section[] {
  const { t } = w;
  const supplier = obj(c.supplier);
  const goods = obj(c.goods);
  const late = c.late === true ? ` ${t('notices.published_late', { on: str(c.publishedOn) })}` : '';
  const signedLate = c.signedLate === true ? ` ${t('notices.signed_late', { signBy: str(c.signBy) })}` : '';
  return [
    {
      heading: t('notices.k_contract'),
      rows: [
        { label: t('fields.contractNo'), value: str(c.contractNo) },
        { label: t('notices.contract_name'), value: str(c.contractName) },
        { label: t('fields.projectName'), value: str(obj(c.project).name) },
        { label: t('notices.party_a'), value: str(obj(c.purchaser).name) },
        { label: t('notices.party_b'), value: `${str(supplier.name)} · ${str(supplier.address)}` },
        { label: t('notices.contract_subject'), value: `${str(goods.name)} ${str(goods.model)} × ${w.quantity(goods.quantity, goods.unit)}` },
        { label: t('notices.contract_amount'), value: w.money(c.amount) },
        { label: t('fields.signedAt'), value: `${str(c.signedOn)}${signedLate}` },
        { label: t('notices.publish_by'), value: `${str(c.publishBy)}${late}` },
        { label: t('notices.purchaser_contact'), value: str(obj(c.contacts).purchaser) },
      ],
    },
    ...(c.mainTerms ? [{ heading: t('notices.main_terms'), paragraphs: [str(c.mainTerms)] }] : []),
  ];
}

function termination(w: Writer, c: Record<string, unknown>): Section[] {
  const { t } = w;
  const goods = obj(c.goods);
  return [
    {
      heading: t('notices.s_project'),
      rows: [
        { label: t('fields.projectName'), value: str(obj(c.project).name) },
        { label: t('notices.s_purchaser'), value: str(obj(c.purchaser).name) },
        { label: t('fields.budget'), value: w.yuan(obj(c.project).budget) },
        { label: t('notices.goods_name'), value: `${str(goods.name)} ${str(goods.model)}` },
        { label: t('notices.proposed_supplier'), value: str(obj(c.supplier).name) },
      ],
    },
    {
      heading: t('notices.t_reason'),
      paragraphs: [t(`notices.cause_${str(c.cause)}`), str(c.explanation)],
      rows: [
        ...(c.amount ? [{ label: t('notices.negotiated_amount'), value: w.yuan(c.amount) }] : []),
        { label: t('notices.terminated_on'), value: str(c.terminatedOn) },
        { label: t('notices.purchaser_contact'), value: str(obj(c.contacts).purchaser) },
      ],
    },
    ...(c.legalBasis ? [{ heading: t('notices.legal_basis'), paragraphs: [str(c.legalBasis)] }] : []),
    { heading: t('notices.t_next'), paragraphs: [str(c.nextStep) || t('notices.next_step')] },
  ];
}

function certification(w: Writer, c: Record<string, unknown>): Section[] {
  const { t } = w;
  const period = obj(c.period);
  return [
    {
      heading: t('notices.c_list'),
      paragraphs: [t('notices.c_intro', { year: str(c.year) })],
      table: {
        columns: [t('notices.c_no'), t('notices.c_product'), t('notices.c_enterprise'), t('notices.c_city'), t('notices.c_level')],
        rows: arr(c.list).map((e) => {
          const a = obj(e);
          return [str(a.applicationNo), `${str(a.productName)} ${str(a.model)}`, str(a.enterprise), str(a.city), t(`levels.${str(a.level)}`)];
        }),
      },
    },
    { heading: t('notices.s_period'), paragraphs: [t('notices.c_period', { startsOn: str(period.startsOn), endsOn: str(period.endsOn), days: str(period.workingDays) })] },
    { heading: t('notices.s_objection'), paragraphs: [t('notices.c_objection_rule')] },
  ];
}

const BODIES: Record<string, (w: Writer, c: Record<string, unknown>) => Section[]> = {
  single_source: singleSource,
  result,
  contract,
  termination,
  certification,
};

/** A public notice as a document: its type and title, number and publication time, then its items. */
export function noticeDocument(notice: NoticeDetail, t: Translator, locale: Locale, now: Date): PdfDocumentModel {
  const w = writer(t, locale);
  const c = notice.content;
  const isCertification = notice.type === 'certification';
  const head: Section = {
    rows: [
      isCertification ? { label: t('notices.publisher'), value: t('notices.certification_publisher') } : { label: t('notices.case_no'), value: str(c.caseNo) },
      { label: t('notices.col_published'), value: w.time(notice.publishedAt) },
    ],
  };
  return {
    title: notice.title,
    subject: isCertification ? `${t('notices.type_certification')} ${notice.id}` : str(c.caseNo),
    intro: t(`notices.type_${notice.type}`),
    sections: [head, ...(BODIES[notice.type]?.(w, c) ?? [])],
    generated: t('notices.pdf_generated', { at: now.toISOString() }),
  };
}

/** The file name a notice's PDF is saved under: its case number (or the notice's id) and type. */
export function noticeFilename(notice: NoticeDetail): string {
  const no = typeof notice.content.caseNo === 'string' && /^[\w-]+$/.test(notice.content.caseNo) ? notice.content.caseNo : `notice-${notice.id}`;
  return `${no}-${notice.type}.pdf`;
}

/** The 成交通知书 as a document, as its page reads (views/first-purchase/award-letter.hbs), the amount also in words. */
export function awardLetterDocument(letter: AwardLetter, t: Translator, locale: Locale, now: Date): PdfDocumentModel {
  const w = writer(t, locale);
  const party = (p: { name: string; address: string; contactPerson: string; phone: string }) => [p.name, p.address, p.contactPerson, p.phone].join(' · ');
  const fen = Money.fromString(letter.amount).fen;
  return {
    title: letter.title,
    subject: letter.letterNo,
    intro: `${t('first_purchase.letter_no')} ${letter.letterNo}`,
    sections: [
      {
        paragraphs: [
          `${letter.supplier.name}${t('first_purchase.letter_salutation')}`,
          t('first_purchase.letter_body', { purchaser: letter.purchaser.name, project: letter.project.name, caseNo: letter.caseNo, date: letter.negotiation.date }),
        ],
        rows: [
          { label: t('notices.goods_name'), value: `${letter.goods.name} ${letter.goods.model}` },
          { label: t('fields.quantity'), value: w.quantity(letter.goods.quantity, letter.goods.unit) },
          { label: t('fields.price'), value: w.yuan(letter.goods.unitPrice) },
          { label: t('notices.award_amount'), value: `${w.money(letter.amount)}\n${amountInWords(fen)}` },
          { label: t('first_purchase.record_terms'), value: letter.agreedTerms },
        ],
      },
      { paragraphs: [t('first_purchase.letter_sign_by', { signBy: letter.signBy })] },
      { heading: t('notices.r_staff'), paragraphs: [letter.procurementStaff.join('、')] },
      {
        heading: t('notices.s_contacts'),
        rows: [
          { label: t('notices.party_purchaser'), value: party(letter.purchaser) },
          ...(letter.agency ? [{ label: t('notices.party_agency'), value: party(letter.agency) }] : []),
          { label: t('notices.party_b'), value: [letter.supplier.name, letter.supplier.address, letter.supplier.creditCode].join(' · ') },
        ],
      },
    ],
    closing: [letter.purchaser.name, letter.issuedOn],
    generated: t('notices.pdf_generated', { at: now.toISOString() }),
  };
}
