import { loadConfig } from '../../src/platform/config/config';

describe('configuration', () => {
  it('has working defaults', () => {
    expect(loadConfig({})).toMatchObject({ env: 'development', port: 3000, host: '127.0.0.1', databaseUrl: undefined, sqlitePath: './data/stratum.sqlite', maxBodyBytes: 1048576, tokenTtlSeconds: 900, validateResponses: true, rateLimitRequests: 6000, rateLimitWindowSeconds: 60, rateLimitSyncMs: 500 });
  });

  it('turns response validation off in production unless asked for', () => {
    expect(loadConfig({ NODE_ENV: 'production' }).validateResponses).toBe(false);
    expect(loadConfig({ NODE_ENV: 'production', VALIDATE_RESPONSES: 'true' }).validateResponses).toBe(true);
  });

  it.each([
    ['PORT', 'eighty', /PORT must be a whole number/],
    ['PORT', '70000', /PORT must be between/],
    ['DATABASE_URL', 'mysql://x', /DATABASE_URL must be a postgres/],
    ['LOG_LEVEL', 'loud', /LOG_LEVEL must be one of/],
    ['NODE_ENV', 'staging', /NODE_ENV must be one of/],
    ['MAX_BODY_BYTES', '10', /MAX_BODY_BYTES must be between/],
    ['TOKEN_TTL_SECONDS', '-5', /TOKEN_TTL_SECONDS must be a whole number/],
    ['STRATUM_SECRET', 'short', /STRATUM_SECRET must be at least 32 bytes/],
    ['STRATUM_SECRET', 'not base64 at all: spaces and punctuation!!!!!!!!', /STRATUM_SECRET must be at least 32 bytes/],
    ['VALIDATE_RESPONSES', 'maybe', /VALIDATE_RESPONSES must be true or false/],
    ['RATE_LIMIT_REQUESTS', 'lots', /RATE_LIMIT_REQUESTS must be a whole number/],
    ['RATE_LIMIT_WINDOW_SECONDS', '0', /RATE_LIMIT_WINDOW_SECONDS must be between/],
    ['RATE_LIMIT_SYNC_MS', '5', /RATE_LIMIT_SYNC_MS must be between/],
  ])('refuses a bad %s, naming it', (name, value, message) => {
    expect(() => loadConfig({ [name]: value })).toThrow(message);
  });
});
