/** The load generator and the token request, shared by the bench and the flood bench. */
import autocannon from 'autocannon';

export const load = (opts: autocannon.Options): Promise<autocannon.Result> => autocannon(opts);

/** OAuth 2.0 client credentials, form-encoded, as an integration would ask. */
export const requestToken = (base: string, clientId: string, secret: string): Promise<Response> =>
  fetch(`${base}/v1/oauth/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'client_credentials', client_id: clientId, client_secret: secret }).toString(),
  });

export async function accessToken(base: string, clientId: string, secret: string): Promise<string> {
  const res = await requestToken(base, clientId, secret);
  if (res.status !== 200) throw new Error(`token request failed: ${res.status} ${await res.text()}`);
  return ((await res.json()) as { access_token: string }).access_token;
}
