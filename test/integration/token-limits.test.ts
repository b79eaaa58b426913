import { Harness, type Admin } from '../support/harness';

/** The token endpoint's answers in RFC 6749's format. */
let h: Harness;
let admin: Admin;

const token = (form: Record<string, string>) => h.request('POST', '/v1/oauth/token', { form });

beforeAll(async () => {
  h = await Harness.start();
  admin = await h.tenant(); // its secret is verified here, once
});
afterAll(() => h.stop());

describe('grant types', () => {
  it('answers another grant type with unsupported_grant_type, in RFC 6749 format', async () => {
    const res = await token({ grant_type: 'password', client_id: admin.clientId, client_secret: admin.secret });
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    expect(res.body).toEqual({ error: 'unsupported_grant_type', error_description: 'grant_type must be one of: client_credentials' });
  });

  it('answers a missing or empty grant type with invalid_request', async () => {
    const forms: Record<string, string>[] = [{ client_id: admin.clientId, client_secret: admin.secret }, { grant_type: '', client_id: admin.clientId, client_secret: admin.secret }];
    for (const form of forms) {
      const res = await token(form);
      expect(res.status).toBe(400);
      expect(res.body.error).toBe('invalid_request');
    }
  });
});
