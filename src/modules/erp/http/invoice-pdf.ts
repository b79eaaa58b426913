import PDFDocument from 'pdfkit';
import { formatMinor } from '../../../platform/money';
import type { PrintableDocument } from '../application/documents';
import { formatQuantity } from '../../wms';
import { amountDue, documentTotals, priced } from '../domain/document';
import { lineAmounts } from '../domain/order';
import { formatRate } from '../domain/tax';

/**
 * An invoice as a PDF (A4, the PDF standard fonts): number, status, dates, the customer's name
 * and billing address, a table of the lines, the tax per rate, the totals and what is still due.
 * A draft or a void invoice says so across every page. Built from the document as the API shows
 * it, with the same line math (domain/order.ts), so the PDF and the JSON never disagree.
 */

const MARGIN = 50;
const PAGE_BOTTOM = 842 - MARGIN - 40;
const GREY = '#666666';
/** Columns of the line table: x, width, alignment. */
const COLUMNS = [
  { title: 'Description', x: MARGIN, width: 175, align: 'left' },
  { title: 'Quantity', x: 228, width: 52, align: 'right' },
  { title: 'Unit price', x: 283, width: 62, align: 'right' },
  { title: 'Tax rate', x: 348, width: 50, align: 'right' },
  { title: 'Net', x: 401, width: 45, align: 'right' },
  { title: 'Tax', x: 449, width: 42, align: 'right' },
  { title: 'Total', x: 494, width: 51, align: 'right' },
] as const;

/**
 * The standard fonts write WinAnsi only: anything else (a name in another script) is replaced by
 * `?`, rather than drawn as the wrong glyph.
 */
const printable = (text: string): string => text.replace(/[^\x20-\x7E\xA0-\xFF\u20AC\u2013\u2014\u2018\u2019\u201C\u201D\u2022]/g, '?');

/** A rate for the table's narrow column: `19%`, `7.5%` (the summary writes all three decimals). */
const compactRate = (rate: number): string => formatRate(rate).replace(/\.?0+$/, '');

export function invoicePdf({ document: s, party, taxRateNames }: PrintableDocument): Promise<Buffer> {
  const pdf = new PDFDocument({
    size: 'A4',
    margin: MARGIN,
    bufferPages: true,
    info: { Title: printable(s.number ? `Invoice ${s.number}` : `Draft invoice ${s.id}`), Producer: 'Stratum', Creator: 'Stratum', CreationDate: s.updatedAt },
  });
  const done = new Promise<Buffer>((resolve, reject) => {
    const chunks: Buffer[] = [];
    pdf.on('data', (chunk: Buffer) => chunks.push(chunk));
    pdf.on('end', () => resolve(Buffer.concat(chunks)));
    pdf.on('error', reject);
  });

  // Heading: what it is, and its dates.
  pdf.font('Helvetica-Bold').fontSize(20).text(s.number ? `Invoice ${s.number}` : 'Draft invoice', MARGIN, MARGIN);
  pdf.font('Helvetica').fontSize(9).fillColor(GREY).text(s.id, MARGIN, MARGIN + 26);
  const facts: [string, string][] = [
    ['Status', s.status],
    ['Issue date', s.issueDate ?? 'not issued'],
    ['Due date', s.dueDate ?? '-'],
    ['Currency', s.currency],
  ];
  facts.forEach(([label, value], i) => {
    const y = MARGIN + i * 14;
    pdf.fillColor(GREY).text(label, 360, y, { width: 80 });
    pdf.fillColor('black').text(value, 440, y, { width: 105, align: 'right' });
  });

  // The customer.
  let y = MARGIN + 80;
  pdf.fillColor(GREY).fontSize(9).text('Bill to', MARGIN, y);
  pdf.fillColor('black').font('Helvetica-Bold').fontSize(11).text(printable(party.name), MARGIN, y + 13, { width: 280 });
  y = pdf.y + 2;
  pdf.font('Helvetica').fontSize(10);
  const a = party.billingAddress;
  const addressLines = a ? [a.line1, a.line2, [a.postalCode, a.city].filter(Boolean).join(' '), a.region, a.country].filter((l): l is string => !!l) : ['(no billing address)'];
  for (const line of addressLines) {
    pdf.text(printable(line), MARGIN, y, { width: 280 });
    y = pdf.y;
  }

  // The lines.
  y = Math.max(y + 24, MARGIN + 180);
  const header = () => {
    pdf.font('Helvetica-Bold').fontSize(9).fillColor('black');
    for (const c of COLUMNS) pdf.text(c.title, c.x, y, { width: c.width, align: c.align });
    y += 14;
    pdf.moveTo(MARGIN, y - 3).lineTo(545, y - 3).lineWidth(0.5).strokeColor(GREY).stroke();
    pdf.font('Helvetica').fontSize(9);
  };
  header();
  const taxByRate = new Map<string, { name: string; rate: number; net: bigint; tax: bigint }>();
  for (const line of s.lines) {
    const amounts = lineAmounts(priced(line));
    const rateName = taxRateNames.get(line.taxRateId) ?? line.taxRateId;
    // By rate and percentage: a rate changed since keeps the lines written before at their old percentage.
    const key = `${line.taxRateId}|${line.taxRate}`;
    const sum = taxByRate.get(key) ?? { name: rateName, rate: line.taxRate, net: 0n, tax: 0n };
    sum.net += BigInt(amounts.net);
    sum.tax += BigInt(amounts.tax);
    taxByRate.set(key, sum);
    const cells = [
      printable(line.description),
      formatQuantity(line.quantity),
      formatMinor(line.unitAmount),
      `${compactRate(line.taxRate)}%${line.taxInclusive ? ' incl.' : ''}`,
      formatMinor(amounts.net),
      formatMinor(amounts.tax),
      formatMinor(amounts.total),
    ];
    // The tallest cell sets the row (a long description, a wide amount wrapped in its column).
    const height = Math.max(12, ...COLUMNS.map((c, i) => pdf.heightOfString(cells[i], { width: c.width }))) + 4;
    if (y + height > PAGE_BOTTOM) {
      pdf.addPage();
      y = MARGIN;
      header();
    }
    COLUMNS.forEach((c, i) => pdf.text(cells[i], c.x, y, { width: c.width, align: c.align }));
    y += height;
  }
  if (!s.lines.length) {
    pdf.fillColor(GREY).text('No lines.', MARGIN, y);
    y += 16;
  }

  // Tax per rate, then the totals.
  const totals = documentTotals(s);
  const summary: [string, string, boolean][] = [
    ...[...taxByRate.values()].map((t): [string, string, boolean] => [`${printable(t.name)} (${formatRate(t.rate)}%) on ${formatMinor(t.net)}`, formatMinor(t.tax), false]),
    ['Subtotal', formatMinor(totals.net), false],
    ['Tax', formatMinor(totals.tax), false],
    [`Total ${s.currency}`, formatMinor(totals.total), true],
  ];
  if (s.amountPaid) summary.push(['Paid', `-${formatMinor(s.amountPaid)}`, false]);
  if (s.amountCredited) summary.push(['Credited', `-${formatMinor(s.amountCredited)}`, false]);
  if (s.status === 'draft' || s.status === 'open') summary.push([`Amount due ${s.currency}`, formatMinor(amountDue(s)), true]);
  y += 10;
  if (y + 40 > PAGE_BOTTOM) {
    pdf.addPage();
    y = MARGIN;
  }
  pdf.moveTo(300, y - 4).lineTo(545, y - 4).lineWidth(0.5).strokeColor(GREY).stroke();
  for (const [label, value, strong] of summary) {
    pdf.font(strong ? 'Helvetica-Bold' : 'Helvetica').fontSize(strong ? 10 : 9).fillColor('black');
    const height = Math.max(pdf.heightOfString(label, { width: 165 }), pdf.heightOfString(value, { width: 75 })) + 3;
    if (y + height > PAGE_BOTTOM) {
      pdf.addPage();
      y = MARGIN;
    }
    pdf.text(label, 300, y, { width: 165 });
    pdf.text(value, 470, y, { width: 75, align: 'right' });
    y += Math.max(15, height);
  }

  // On every page: a draft or a void invoice says so, and the page number.
  const range = pdf.bufferedPageRange();
  const stamp = s.status === 'draft' ? 'DRAFT' : s.status === 'void' ? 'VOID' : undefined;
  for (let i = range.start; i < range.start + range.count; i++) {
    pdf.switchToPage(i);
    // Drawn below the text area: no automatic page break for it.
    pdf.page.margins.bottom = 0;
    if (stamp) {
      pdf.save().rotate(-35, { origin: [297, 421] }).font('Helvetica-Bold').fontSize(110).fillColor('#cc0000').fillOpacity(0.12).text(stamp, 40, 370, { width: 515, align: 'center', lineBreak: false }).restore();
    }
    pdf.font('Helvetica').fontSize(8).fillColor(GREY).fillOpacity(1);
    pdf.text(`${s.number ?? 'Draft'} · page ${i - range.start + 1} of ${range.count}`, MARGIN, 842 - MARGIN - 10, { width: 495, align: 'center', lineBreak: false });
  }
  pdf.end();
  return done;
}
