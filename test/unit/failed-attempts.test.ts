import { loadConfig } from '../../src/platform/config/config';
import { addressKey, DEFAULT_TOKEN_FAILURE_LIMITS, failureLimitHeaders } from '../../src/platform/ratelimit/failed-attempts';

describe('the limits on failed attempts', () => {
  it('count an IPv4 address as is, an IPv4-mapped one as its IPv4 address, and IPv6 by its /64', () => {
    expect(addressKey('203.0.113.7')).toBe('203.0.113.7');
    expect(addressKey('::ffff:203.0.113.7')).toBe('203.0.113.7');
    expect(addressKey('2001:db8:0001:2::7')).toBe('2001:db8:1:2::/64');
    expect(addressKey('2001:DB8:1:2:aaaa:bbbb:cccc:dddd')).toBe('2001:db8:1:2::/64');
    expect(addressKey('2001:db8::1')).toBe('2001:db8:0:0::/64');
    expect(addressKey('::1')).toBe('0:0:0:0::/64');
    expect(addressKey('fe80::1%eth0')).toBe('fe80:0:0:0::/64');
  });

  it('say where an attempt stands in the IETF RateLimit fields', () => {
    const standing = {
      limits: [
        { policy: 'failures-per-client-id' as const, limit: 10, remaining: 7 },
        { policy: 'failures-per-address' as const, limit: 50, remaining: 49 },
      ],
      windowSeconds: 60,
      resetSeconds: 42,
    };
    expect(failureLimitHeaders(standing)).toEqual({
      'RateLimit-Policy': '"failures-per-client-id";q=10;w=60, "failures-per-address";q=50;w=60',
      RateLimit: '"failures-per-client-id";r=7;t=42, "failures-per-address";r=49;t=42',
    });
    expect(failureLimitHeaders({ ...standing, limits: [] })).toEqual({});
  });

  it('are configured by TOKEN_FAILURES_PER_CLIENT_ID, TOKEN_FAILURES_PER_ADDRESS and TOKEN_FAILURE_WINDOW_SECONDS, by default those the token endpoint falls back to', () => {
    const config = loadConfig({});
    expect({ perClientId: config.tokenFailuresPerClientId, perAddress: config.tokenFailuresPerAddress, windowSeconds: config.tokenFailureWindowSeconds }).toEqual(DEFAULT_TOKEN_FAILURE_LIMITS);
    expect(loadConfig({ TOKEN_FAILURES_PER_CLIENT_ID: '0', TOKEN_FAILURES_PER_ADDRESS: '200', TOKEN_FAILURE_WINDOW_SECONDS: '300' })).toMatchObject({
      tokenFailuresPerClientId: 0,
      tokenFailuresPerAddress: 200,
      tokenFailureWindowSeconds: 300,
    });
    expect(() => loadConfig({ TOKEN_FAILURES_PER_ADDRESS: 'many' })).toThrow(/TOKEN_FAILURES_PER_ADDRESS must be a whole number/);
    expect(() => loadConfig({ TOKEN_FAILURE_WINDOW_SECONDS: '0' })).toThrow(/TOKEN_FAILURE_WINDOW_SECONDS must be between/);
  });
});
