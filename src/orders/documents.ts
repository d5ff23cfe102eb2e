import { Money, formatYuan } from '../money';
import { apiTime } from '../time';
import { amountInWords, writePdf } from '../web';
import type { OrderDetail } from './presenters';

/** The two documents of an order: its confirmation (订单确认单) and its acceptance form (验收单). */
export const ORDER_DOCUMENTS = ['confirmation', 'acceptance'] as const;
export type OrderDocumentKind = (typeof ORDER_DOCUMENTS)[number];

type T = (key: string, params?: Record<string, unknown>) => string;

/** Kept here for the order paperwork's callers; the numerals live with the PDF writer (web/pdf.ts). */
export { amountInWords, PdfFontMissing } from '../web';

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

/** The document as an A4 PDF (web/pdf.ts, the CJK font embedded as a subset); the order number is its Subject. */
export function orderPdf(doc: OrderDocument): Promise<Buffer> {
  return writePdf({ title: `${doc.heading} ${doc.orderNo}`, subject: doc.orderNo }, (w) => {
    w.heading(doc.heading, doc.intro);
    for (const fact of doc.facts) w.row(fact.label, fact.value);
    w.pdf.moveDown();
    w.table(
      doc.columns,
      doc.items.map((i) => [String(i.no), i.title, i.unitPrice, String(i.quantity), i.amount]),
      { x: [50, 80, 330, 420, 465], rightFrom: 2 },
    );
    w.paragraph(`${doc.totalLabel} ${doc.total}（${doc.totalInWords}）`, { align: 'right', size: 11 });
    if (doc.acceptance) {
      w.pdf.moveDown();
      for (const a of doc.acceptance) w.row(a.label, a.value);
    }
    w.signatures(doc.signatures);
    w.footnote(doc.generated);
  });
}
