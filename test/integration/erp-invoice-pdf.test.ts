import { inflateSync } from 'node:zlib';
import { eur, type Json, orderRequests, unique } from '../support/erp-orders';
import { type Admin, Harness } from '../support/harness';

/**
 * An invoice as a PDF (`GET /v1/erp/invoices/{id}` with `Accept: application/pdf`): the media
 * type negotiated, the document's content read back out of the PDF's text, a draft stamped as
 * such, a long invoice over several pages, and the refusals (406, 404).
 */
let h: Harness;
let admin: Admin;

beforeAll(async () => {
  h = await Harness.start();
  admin = await h.tenant();
});
afterAll(() => h.stop());

const { act, get, created } = orderRequests(
  () => h,
  () => admin.token,
);
const fetchAs = (path: string, accept: string | undefined, token = admin.token) =>
  h.request('GET', `/v1${path}`, { token, headers: accept === undefined ? {} : { accept } });

/** The PDF's bytes (the harness reads bodies as text); the answer must be a 200 PDF. */
async function pdfOf(path: string): Promise<Buffer> {
  const res = await fetch(`${h.baseUrl}/v1${path}`, { headers: { accept: 'application/pdf', authorization: `Bearer ${admin.token}` } });
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toBe('application/pdf');
  return Buffer.from(await res.arrayBuffer());
}

/**
 * The text a PDF shows, page by page: each content stream inflated, each `[…] TJ` / `(…) Tj` run
 * decoded from pdfkit's hex strings (WinAnsi bytes), the runs of a page joined by newlines.
 */
function pdfText(pdf: Buffer): string[] {
  const pages: string[] = [];
  const raw = pdf.toString('latin1');
  // A stream's bytes are the dictionary's /Length of them: compressed data may itself end in a
  // carriage return, which a match up to `\r?\nendstream` would take for the line break.
  const streams = /<<([^]*?)>>\s*stream\r?\n/g;
  let m: RegExpExecArray | null;
  while ((m = streams.exec(raw))) {
    const length = /\/Length (\d+)\b(?!\s+\d+\s+R)/.exec(m[1]);
    if (!length) throw new Error(`a stream without a direct /Length: <<${m[1]}>>`);
    const data = Buffer.from(raw.slice(streams.lastIndex, streams.lastIndex + Number(length[1])), 'latin1');
    streams.lastIndex += data.length;
    const content = m[1].includes('/FlateDecode') ? inflateSync(data).toString('latin1') : data.toString('latin1');
    if (!/\bBT\b/.test(content)) continue;
    const runs = [...content.matchAll(/\[([^\]]*)\]\s*TJ/g)].map((t) => [...t[1].matchAll(/<([0-9a-fA-F]*)>/g)].map((x) => Buffer.from(x[1], 'hex').toString('latin1')).join(''));
    pages.push(runs.join('\n'));
  }
  return pages;
}

/** A customer with a billing address, two tax rates, and a draft invoice of three lines. */
async function draftInvoice(lines = 3): Promise<{ invoice: Json; customerName: string }> {
  const vat = await created('/erp/tax-rates', { name: `VAT ${unique()}`, rate: '19' });
  const reduced = await created('/erp/tax-rates', { name: `Reduced ${unique()}`, rate: '7' });
  const customerName = `Northwind Traders ${unique()}`;
  const account = await created('/crm/accounts', {
    name: customerName,
    billing_address: { line1: 'Friedrichstraße 68', line2: 'Hof 2', city: 'Berlin', postal_code: '10117', country: 'DE' },
  });
  const customer = await created('/erp/customers', { account_id: account.id, tax_rate_id: vat.id, payment_terms_days: 14 });
  const invoice = await created('/erp/invoices', {
    customer_id: customer.id,
    lines: Array.from({ length: lines }, (_, i) =>
      i % 3 === 2
        ? { description: `Handbook ${i + 1}`, quantity: '2', unit_price: eur(1999), tax_rate_id: reduced.id }
        : { description: `Consulting hours ${i + 1}`, quantity: '12.5', unit_price: eur(10000) },
    ),
  });
  return { invoice, customerName };
}

describe('ERP invoice PDF', () => {
  it('answers a draft invoice as a PDF with its customer, lines, tax per rate and totals, stamped DRAFT', async () => {
    const { invoice, customerName } = await draftInvoice();
    const res = await fetchAs(`/erp/invoices/${invoice.id}`, 'application/pdf');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/pdf');
    expect(res.headers.get('etag')).toBe(`"${invoice.version}"`);
    expect(res.headers.get('vary')).toMatch(/\bAccept\b/);
    expect(res.headers.get('cache-control')).toBe('no-store');
    const pdf = await pdfOf(`/erp/invoices/${invoice.id}`);
    expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');
    expect(pdf.subarray(-6).toString()).toMatch(/%%EOF/);
    const [page, ...more] = pdfText(pdf);
    expect(more).toEqual([]);
    for (const text of [
      'Draft invoice',
      invoice.id,
      customerName,
      'Friedrichstraße 68',
      'Hof 2',
      '10117 Berlin',
      'DE',
      'Consulting hours 1',
      'Handbook 3',
      '12.5',
      '100.00',
      '1250.00',
      '19.000%',
      '7.000%',
      '2539.98',
      (invoice.tax_total.amount / 100).toFixed(2),
      (invoice.total.amount / 100).toFixed(2),
      'DRAFT',
      'page 1 of 1',
    ]) {
      expect(page).toContain(text);
    }
    // The tax per rate, on the net it was charged on.
    expect(page).toMatch(/VAT \w+ \(19\.000%\) on 2500\.00/);
    expect(page).toMatch(/Reduced \w+ \(7\.000%\) on 39\.98/);
  });

  it('shows a finalized invoice by its number and dates, without the stamp, and what is due after a payment', async () => {
    const { invoice } = await draftInvoice(1);
    const open = await act(`/erp/invoices/${invoice.id}/finalize`, `"${invoice.version}"`, { issue_date: '2026-03-02' });
    expect(open.status).toBe(200);
    const paid = await created('/erp/payments', { direction: 'received', customer_id: invoice.customer_id, amount: eur(50000), paid_on: '2026-03-10', allocations: [{ invoice_id: invoice.id, amount: eur(50000) }] });
    expect(paid.allocations).toHaveLength(1);
    const now = (await get(`/erp/invoices/${invoice.id}`)).body;
    const res = await fetchAs(`/erp/invoices/${invoice.id}`, 'application/pdf');
    expect(res.status).toBe(200);
    expect(res.headers.get('etag')).toBe(`"${now.version}"`);
    const [page] = pdfText(await pdfOf(`/erp/invoices/${invoice.id}`));
    for (const text of [`Invoice ${now.number}`, '2026-03-02', '2026-03-16', 'open', 'Paid', '-500.00', 'Amount due EUR', (now.amount_due.amount / 100).toFixed(2)]) expect(page).toContain(text);
    expect(page).not.toContain('DRAFT');
  });

  it('keeps wide amounts and tax-inclusive rates inside their rows', async () => {
    const vat = await created('/erp/tax-rates', { name: `VAT incl ${unique()}`, rate: '20', inclusive: true });
    const account = await created('/crm/accounts', { name: `Big spender ${unique()}` });
    const customer = await created('/erp/customers', { account_id: account.id, tax_rate_id: vat.id });
    const lines = Array.from({ length: 40 }, (_, i) => ({ description: `Machine ${i + 1}`, quantity: '999', unit_price: eur(99_999_999) }));
    const invoice = await created('/erp/invoices', { customer_id: customer.id, lines });
    const pages = pdfText(await pdfOf(`/erp/invoices/${invoice.id}`));
    const all = pages.join('\n');
    expect(all).toContain('20% incl.');
    for (let i = 1; i <= 40; i++) expect(all).toContain(`Machine ${i}`);
    expect(all).toContain((BigInt(invoice.total.amount) / 100n).toString());
  });

  it('runs a long invoice over several pages, every line on one of them, each page numbered', async () => {
    const { invoice } = await draftInvoice(70);
    const pages = pdfText(await pdfOf(`/erp/invoices/${invoice.id}`));
    expect(pages.length).toBeGreaterThan(1);
    pages.forEach((p, i) => expect(p).toContain(`page ${i + 1} of ${pages.length}`));
    const all = pages.join('\n');
    for (let i = 1; i <= 70; i++) expect(all).toContain(i % 3 === 0 ? `Handbook ${i}` : `Consulting hours ${i}`);
    expect(all).toContain((invoice.total.amount / 100).toFixed(2));
  });

  it('negotiates by Accept: JSON without it, for */* and for a preferred JSON; a PDF only when preferred; 406 when neither is allowed', async () => {
    const { invoice } = await draftInvoice(1);
    const path = `/erp/invoices/${invoice.id}`;
    for (const accept of [
      undefined,
      '*/*',
      'application/json',
      'application/json; charset=utf-8',
      'application/*',
      'application/pdf;q=0.5, application/json',
      'text/html, application/json;q=0.1',
      // No media range in it, or a weight that is none: as if no preference was said.
      'foo',
      'application/json;q=abc',
    ]) {
      const res = await fetchAs(path, accept);
      expect({ accept, status: res.status, type: res.headers.get('content-type') }).toEqual({ accept, status: 200, type: 'application/json; charset=utf-8' });
      expect(res.body.id).toBe(invoice.id);
      expect(res.headers.get('vary')).toMatch(/\bAccept\b/);
    }
    for (const accept of ['application/pdf', 'application/json;q=0.2, application/pdf', 'text/html, application/pdf;q=0.9']) {
      const res = await fetchAs(path, accept);
      expect({ accept, status: res.status, type: res.headers.get('content-type') }).toEqual({ accept, status: 200, type: 'application/pdf' });
    }
    expect((await fetchAs(path, 'application/pdf;q=0, application/json;q=0')).status).toBe(406);
    const refused = await fetchAs(path, 'text/html, image/png');
    expect(refused.status).toBe(406);
    expect(refused.body.type).toBe('/problems/not-acceptable');
    expect(refused.body.detail).toContain('application/json or application/pdf');
  });

  it("adds Vary: Accept to what CORS varies on (Origin), in both media types", async () => {
    const { invoice } = await draftInvoice(1);
    const browserFacing = await Harness.start({ CORS_ORIGINS: 'https://app.example' }, h.db);
    try {
      for (const accept of ['application/json', 'application/pdf']) {
        const res = await browserFacing.request('GET', `/v1/erp/invoices/${invoice.id}`, { token: admin.token, headers: { accept, origin: 'https://app.example' } });
        expect(res.status).toBe(200);
        expect(res.headers.get('access-control-allow-origin')).toBe('https://app.example');
        expect(res.headers.get('vary')?.split(/\s*,\s*/).sort()).toEqual(expect.arrayContaining(['Accept', 'Origin']));
      }
    } finally {
      await browserFacing.stop();
    }
  });

  it("answers 404 as a problem for an invoice that is not the tenant's, and needs erp:read", async () => {
    const { invoice } = await draftInvoice(1);
    const stranger = await h.tenant();
    const res = await fetchAs(`/erp/invoices/${invoice.id}`, 'application/pdf', stranger.token);
    expect(res.status).toBe(404);
    expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    const crmOnly = await h.token(admin.clientId, admin.secret, 'crm:read');
    expect((await fetchAs(`/erp/invoices/${invoice.id}`, 'application/pdf', crmOnly)).status).toBe(403);
  });

  it('prints a name in a script the PDF fonts lack as question marks, never failing', async () => {
    const account = await created('/crm/accounts', { name: `株式会社 ${unique()} Ünïcødé` });
    const customer = await created('/erp/customers', { account_id: account.id, tax_rate_id: (await created('/erp/tax-rates', { name: `VAT ${unique()}`, rate: '19' })).id });
    const invoice = await created('/erp/invoices', { customer_id: customer.id, lines: [{ description: 'Emoji 🚀 line', quantity: '1', unit_price: eur(100) }] });
    const [page] = pdfText(await pdfOf(`/erp/invoices/${invoice.id}`));
    expect(page).toContain('???? ');
    expect(page).toContain('Ünïcødé');
    expect(page).toContain('Emoji ?? line');
    expect(page).toContain('(no billing address)');
  });
});
