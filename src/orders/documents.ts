import { existsSync, readFileSync } from 'node:fs';
import PDFDocument from 'pdfkit';
import { Money, formatYuan } from '../money';
import { apiTime } from '../time';
import type { OrderDetail } from './presenters';

/** The two documents of an order: its confirmation (订单确认单) and its acceptance form (验收单). */
export const ORDER_DOCUMENTS = ['confirmation', 'acceptance'] as const;
export type OrderDocumentKind = (typeof ORDER_DOCUMENTS)[number];

type T = (key: string, params?: Record<string, unknown>) => string;

const DIGITS = '零壹贰叁肆伍陆柒捌玖';
const SMALL = ['', '拾', '佰', '仟'];
const BIG = ['', '万', '亿', '万亿'];

/** An amount in Chinese capital numerals as financial documents write it: 壹仟贰佰叁拾肆元伍角陆分, 壹佰元整. */
export function amountInWords(fen: number): string {
  if (!Number.isSafeInteger(fen) || fen < 0) throw new RangeError(`amount in words: ${fen}`);
  const yuan = Math.floor(fen / 100);
  const jiao = Math.floor(fen / 10) % 10;
  const cent = fen % 10;
  let words = '';
  if (yuan === 0) words = '';
  else {
    const groups: number[] = [];
    for (let n = yuan; n > 0; n = Math.floor(n / 10000)) groups.push(n % 10000);
    let zero = false;
    for (let g = groups.length - 1; g >= 0; g--) {
      const group = groups[g];
      if (group === 0) {
        zero = words.length > 0;
        continue;
      }
      if (zero || (words.length > 0 && group < 1000)) words += '零';
      zero = false;
      let part = '';
      let inner = false;
      for (let i = 3; i >= 0; i--) {
        const d = Math.floor(group / 10 ** i) % 10;
        if (d === 0) inner = part.length > 0;
        else {
          if (inner) part += '零';
          inner = false;
          part += DIGITS[d] + SMALL[i];
        }
      }
      words += part + BIG[g];
    }
    words += '元';
  }
  if (jiao === 0 && cent === 0) return (words || '零元') + '整';
  if (jiao > 0) words += DIGITS[jiao] + '角';
  else if (yuan > 0) words += '零';
  if (cent > 0) words += DIGITS[cent] + '分';
  else words += '整';
  return words;
}

const shanghai = (iso: string | null | undefined): string => (iso ? apiTime(iso).slice(0, 16).replace('T', ' ') : '');

/** What both the page and the PDF show: the facts as label/value rows, the lines, the totals, the acceptance. */
export interface OrderDocument {
  kind: OrderDocumentKind;
  heading: string;
  intro: string;
  orderNo: string;
  facts: Array<{ label: string; value: string }>;
  columns: string[];
  totalLabel: string;
  items: Array<{ no: number; title: string; unitPrice: string; quantity: number; amount: string }>;
  total: string;
  totalInWords: string;
  acceptance: Array<{ label: string; value: string }> | null;
  signatures: string[];
  generated: string;
}

export function orderDocument(order: OrderDetail, kind: OrderDocumentKind, t: T, now: Date): OrderDocument {
  const none = t('orders.not_given');
  const at = (to: string) => [...order.history].reverse().find((h) => h.to === to) ?? null;
  const delivered = at('delivered');
  const accepted = at('accepted');
  const facts = [
    { label: t('orders.doc_order_no'), value: order.orderNo },
    { label: t('orders.doc_placed_at'), value: shanghai(order.createdAt) },
    { label: t('orders.doc_status'), value: t(`orders.status_${order.status}`) },
    { label: t('orders.doc_purchaser'), value: order.purchaser.name },
    { label: t('orders.doc_vendor'), value: order.vendor.name },
    { label: t('orders.delivery_address'), value: order.deliveryAddress ?? none },
    { label: t('orders.contact_person'), value: order.contactPerson ?? none },
    { label: t('orders.contact_phone'), value: order.contactPhone ?? none },
    { label: t('orders.delivery_date'), value: order.deliveryDate ?? none },
    { label: t('orders.budget_code'), value: order.budgetCode ?? none },
    { label: t('orders.invoice_title'), value: order.invoiceTitle ?? none },
  ];
  const totalFen = Money.fromString(order.total).fen;
  return {
    kind,
    heading: t(`orders.doc_${kind}_heading`),
    intro: t(`orders.doc_${kind}_intro`),
    orderNo: order.orderNo,
    facts,
    columns: [t('orders.doc_no'), t('purchaser.col_product'), t('purchaser.col_price'), t('purchaser.col_quantity'), t('purchaser.col_amount')],
    totalLabel: t('orders.doc_total'),
    items: order.items.map((i, n) => ({ no: n + 1, title: i.title, unitPrice: formatYuan(Money.fromString(i.unitPrice)), quantity: i.quantity, amount: formatYuan(Money.fromString(i.amount)) })),
    total: formatYuan(Money.ofFen(totalFen)),
    totalInWords: amountInWords(totalFen),
    acceptance:
      kind === 'acceptance'
        ? [
            { label: t('orders.doc_delivered_at'), value: delivered ? shanghai(delivered.at) : none },
            { label: t('orders.doc_accepted_at'), value: accepted ? shanghai(accepted.at) : none },
            { label: t('orders.doc_acceptance_result'), value: accepted ? t('orders.doc_acceptance_passed') : t('orders.doc_acceptance_pending') },
            { label: t('orders.doc_acceptance_note'), value: order.acceptanceNote ?? (accepted ? none : '') },
          ]
        : null,
    signatures: kind === 'acceptance' ? [t('orders.doc_sign_acceptor'), t('orders.doc_sign_purchaser'), t('orders.doc_sign_vendor')] : [t('orders.doc_sign_purchaser'), t('orders.doc_sign_vendor')],
    generated: t('orders.doc_generated', { at: shanghai(now.toISOString()) }),
  };
}

/**
 * The CJK font the PDFs embed (subset): Noto Sans SC from the dependency @expo-google-fonts/noto-sans-sc, else the
 * system's Noto CJK (Debian's fonts-noto-cjk). Read once. None: an error naming what to install.
 */
let font: { data: Buffer; family?: string } | null = null;
const SYSTEM_FONTS = [
  { path: '/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc', family: 'NotoSansCJKsc-Regular' },
  { path: '/usr/share/fonts/truetype/noto/NotoSansCJK-Regular.ttc', family: 'NotoSansCJKsc-Regular' },
];

export class PdfFontMissing extends Error {
  constructor() {
    super('orders PDF: no Chinese font — install the dependency @expo-google-fonts/noto-sans-sc (npm ci) or Debian fonts-noto-cjk');
    this.name = 'PdfFontMissing';
  }
}

function cjkFont(): { data: Buffer; family?: string } {
  if (font) return font;
  try {
    font = { data: readFileSync(require.resolve('@expo-google-fonts/noto-sans-sc/400Regular/NotoSansSC_400Regular.ttf')) };
    return font;
  } catch {
    const found = SYSTEM_FONTS.find((f) => existsSync(f.path));
    if (!found) throw new PdfFontMissing();
    font = { data: readFileSync(found.path), family: found.family };
    return font;
  }
}

/** The document as an A4 PDF (pdfkit, the CJK font embedded as a subset); the order number is its Subject. */
export function orderPdf(doc: OrderDocument): Promise<Buffer> {
  const f = cjkFont();
  return new Promise((resolve, reject) => {
    const pdf = new PDFDocument({ size: 'A4', margin: 50, info: { Title: `${doc.heading} ${doc.orderNo}`, Subject: doc.orderNo, Creator: 'zj-first-unit-marketplace' } });
    const chunks: Buffer[] = [];
    pdf.on('data', (c: Buffer) => chunks.push(c));
    pdf.on('end', () => resolve(Buffer.concat(chunks)));
    pdf.on('error', reject);
    if (f.family) pdf.registerFont('cjk', f.data, f.family);
    else pdf.registerFont('cjk', f.data);
    pdf.font('cjk');
    const width = pdf.page.width - 100;
    pdf.fontSize(18).text(doc.heading, { align: 'center' });
    pdf.moveDown(0.5).fontSize(10).fillColor('#444').text(doc.intro, { align: 'center' }).fillColor('#000');
    pdf.moveDown();
    const row = (label: string, value: string) => {
      const y = pdf.y;
      pdf.fontSize(10).text(label, 50, y, { width: 110 });
      pdf.text(value || ' ', 165, y, { width: width - 115 });
      pdf.y = Math.max(pdf.y, y) + 4;
    };
    for (const fact of doc.facts) row(fact.label, fact.value);
    pdf.moveDown();
    const cols = [50, 80, 330, 420, 465];
    const line = (cells: string[]) => {
      const y = pdf.y;
      if (y > pdf.page.height - 120) pdf.addPage();
      const top = pdf.y;
      let bottom = top;
      cells.forEach((c, i) => {
        pdf.text(c, cols[i], top, { width: (cols[i + 1] ?? 545) - cols[i] - 6, align: i >= 2 ? 'right' : 'left' });
        bottom = Math.max(bottom, pdf.y);
      });
      pdf.y = bottom + 3;
      pdf.moveTo(50, pdf.y).lineTo(545, pdf.y).strokeColor('#ccc').stroke();
      pdf.y += 3;
    };
    pdf.fontSize(10);
    line(doc.columns);
    for (const i of doc.items) line([String(i.no), i.title, i.unitPrice, String(i.quantity), i.amount]);
    pdf.moveDown(0.5);
    pdf.fontSize(11).text(`${doc.totalLabel} ${doc.total}（${doc.totalInWords}）`, 50, pdf.y, { align: 'right', width });
    if (doc.acceptance) {
      pdf.moveDown();
      for (const a of doc.acceptance) row(a.label, a.value);
    }
    pdf.moveDown(2);
    for (const s of doc.signatures) {
      pdf.fontSize(10).text(`${s}：____________________    ____年____月____日`, 50, pdf.y, { width });
      pdf.moveDown(1.2);
    }
    pdf.moveDown().fontSize(8).fillColor('#666').text(doc.generated, 50, pdf.y, { width });
    pdf.end();
  });
}
