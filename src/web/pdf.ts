import { existsSync, readFileSync } from 'node:fs';

/**
 * Printable documents as A4 PDFs (pdfkit, the CJK font embedded as a subset): the orders' confirmation and
 * acceptance form, the public notices and the 成交通知书. One writer, so every document reads alike: a centred
 * heading, label/value rows, tables with a rule under each line, signature lines, a small "generated" footnote.
 */

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
  if (yuan > 0) {
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
    super('PDF documents: no Chinese font — install the dependency @expo-google-fonts/noto-sans-sc (npm ci) or Debian fonts-noto-cjk');
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

const LEFT = 50;
const RIGHT = 545;

/** What a document's drawing code writes with. */
export interface PdfWriter {
  /** The pdfkit document itself, for anything the helpers do not cover. */
  pdf: PDFKit.PDFDocument;
  /** The usable width between the margins. */
  width: number;
  /** The centred heading, with an optional grey line under it. */
  heading(title: string, intro?: string): void;
  /** A section's heading (smaller, left). */
  section(title: string): void;
  /** A label and its value side by side. */
  row(label: string, value: string): void;
  /** A paragraph of running text. */
  paragraph(text: string, options?: { align?: 'left' | 'right' | 'center'; size?: number }): void;
  /**
   * A table: a header line and rows, a rule under each. `x` gives each column's left edge (default: equal columns);
   * cells from column `rightFrom` on are right-aligned (amounts).
   */
  table(columns: string[], rows: string[][], options?: { x?: number[]; rightFrom?: number }): void;
  /** Signature lines: "name：______  ____年__月__日". */
  signatures(names: string[]): void;
  /** The small grey footnote (when and by what the document was made). */
  footnote(text: string): void;
}

/** Draws a document with `draw` and returns the PDF's bytes; `title` and `subject` are the file's metadata. */
export async function writePdf(meta: { title: string; subject: string }, draw: (w: PdfWriter) => void): Promise<Buffer> {
  const f = cjkFont();
  // pdfkit (with fontkit) takes ~0.17 s to load: required when the first document is drawn, not at start.
  const { default: Pdf } = await import('pdfkit');
  return new Promise((resolve, reject) => {
    const pdf: PDFKit.PDFDocument = new Pdf({ size: 'A4', margin: 50, info: { Title: meta.title, Subject: meta.subject, Creator: 'zj-first-unit-marketplace' } });
    const chunks: Buffer[] = [];
    pdf.on('data', (c: Buffer) => chunks.push(c));
    pdf.on('end', () => resolve(Buffer.concat(chunks)));
    pdf.on('error', reject);
    if (f.family) pdf.registerFont('cjk', f.data, f.family);
    else pdf.registerFont('cjk', f.data);
    pdf.font('cjk');
    const width = pdf.page.width - 100;
    const roomFor = (height: number) => {
      if (pdf.y > pdf.page.height - 50 - height) pdf.addPage();
    };
    const w: PdfWriter = {
      pdf,
      width,
      heading(title, intro) {
        pdf.fontSize(18).text(title, LEFT, pdf.y, { align: 'center', width });
        if (intro) pdf.moveDown(0.5).fontSize(10).fillColor('#444').text(intro, LEFT, pdf.y, { align: 'center', width }).fillColor('#000');
        pdf.moveDown();
      },
      section(title) {
        roomFor(60);
        pdf.moveDown(0.6).fontSize(12).text(title, LEFT, pdf.y, { width });
        pdf.moveDown(0.3);
      },
      row(label, value) {
        roomFor(30);
        const y = pdf.y;
        pdf.fontSize(10).text(label, LEFT, y, { width: 110 });
        const labelBottom = pdf.y;
        pdf.text(value || ' ', LEFT + 115, y, { width: width - 115 });
        pdf.y = Math.max(pdf.y, labelBottom) + 4;
      },
      paragraph(text, options = {}) {
        roomFor(30);
        pdf.fontSize(options.size ?? 10).text(text || ' ', LEFT, pdf.y, { width, align: options.align ?? 'left' });
        pdf.moveDown(0.4);
      },
      table(columns, rows, options = {}) {
        const x = options.x ?? columns.map((_, i) => LEFT + Math.round(((RIGHT - LEFT) / columns.length) * i));
        const rightFrom = options.rightFrom ?? columns.length;
        const line = (cells: string[]) => {
          roomFor(40);
          const top = pdf.y;
          let bottom = top;
          cells.forEach((c, i) => {
            pdf.text(c, x[i], top, { width: (x[i + 1] ?? RIGHT) - x[i] - 6, align: i >= rightFrom ? 'right' : 'left' });
            bottom = Math.max(bottom, pdf.y);
          });
          pdf.y = bottom + 3;
          pdf.moveTo(LEFT, pdf.y).lineTo(RIGHT, pdf.y).strokeColor('#ccc').stroke();
          pdf.y += 3;
        };
        pdf.fontSize(10);
        line(columns);
        for (const r of rows) line(r);
        pdf.moveDown(0.5);
      },
      signatures(names) {
        pdf.moveDown(2);
        for (const s of names) {
          roomFor(30);
          pdf.fontSize(10).text(`${s}：____________________    ____年____月____日`, LEFT, pdf.y, { width });
          pdf.moveDown(1.2);
        }
      },
      footnote(text) {
        pdf.moveDown().fontSize(8).fillColor('#666').text(text, LEFT, pdf.y, { width }).fillColor('#000');
      },
    };
    draw(w);
    pdf.end();
  });
}

/** A document as data: what the notices' and the award letter's PDFs are made of. */
export interface PdfDocumentModel {
  title: string;
  /** The document's number (a case number, a letter number): the PDF's Subject. */
  subject: string;
  intro?: string;
  sections: Array<{
    heading?: string;
    rows?: Array<{ label: string; value: string }>;
    paragraphs?: string[];
    table?: { columns: string[]; rows: string[][] };
  }>;
  signatures?: string[];
  /** Right-aligned closing lines (the issuer and the date of a letter). */
  closing?: string[];
  generated: string;
}

/** A document model as a PDF: its sections in order, each with its rows, paragraphs and table. */
export function documentPdf(doc: PdfDocumentModel): Promise<Buffer> {
  return writePdf({ title: `${doc.title} ${doc.subject}`, subject: doc.subject }, (w) => {
    w.heading(doc.title, doc.intro);
    for (const s of doc.sections) {
      if (s.heading) w.section(s.heading);
      for (const p of s.paragraphs ?? []) w.paragraph(p);
      for (const r of s.rows ?? []) w.row(r.label, r.value);
      if (s.table && s.table.rows.length) w.table(s.table.columns, s.table.rows);
    }
    if (doc.closing?.length) {
      w.pdf.moveDown();
      for (const line of doc.closing) w.paragraph(line, { align: 'right' });
    }
    if (doc.signatures?.length) w.signatures(doc.signatures);
    w.footnote(doc.generated);
  });
}

/** The Content-Disposition of a document served to be read in the browser and saved under a meaningful name. */
export function pdfDisposition(filename: string): string {
  const ascii = filename.replace(/[^\w.-]+/g, '_');
  return `inline; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(filename)}`;
}
