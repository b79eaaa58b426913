import { ApiClient } from '../../src/modules/platform/domain/api-client';
import { ConflictError } from '../../src/platform/errors';

const register = () => ApiClient.register({ tenantId: 'ten_1', name: 'n', description: null, scopes: ['crm:read', 'crm:write'], secretHash: 'h' });

describe('an API client', () => {
  it('records its creation', () => {
    const client = register();
    expect(client.version).toBe(1);
    expect(client.pullEvents().map((e) => e.type)).toEqual(['platform.api_client.created']);
    expect(client.pullEvents()).toEqual([]);
  });

  it('bumps its version only when something changes', () => {
    const client = register();
    client.change({ name: 'n' }, 'cli_other');
    expect(client.version).toBe(1);
    client.change({ scopes: ['crm:write', 'crm:read'] }, 'cli_other');
    expect(client.version).toBe(1);
    client.change({ name: 'm', description: 'd' }, 'cli_other');
    expect(client.version).toBe(2);
    expect(client.pullEvents().map((e) => e.payload)).toContainEqual({ api_client_id: client.id, changed: ['name', 'description'] });
  });

  it('grants the scopes asked for only when it is allowed all of them', () => {
    const client = register();
    expect(client.grant(undefined)).toEqual({ granted: ['crm:read', 'crm:write'] });
    expect(client.grant(['crm:read'])).toEqual({ granted: ['crm:read'] });
    expect(client.grant(['crm:read', 'erp:write'])).toEqual({ refused: ['erp:write'] });
  });

  it('cannot be changed, rotated or revoked again once revoked', () => {
    const client = register();
    client.revoke('cli_other');
    expect(() => client.change({ name: 'x' }, 'cli_other')).toThrow(ConflictError);
    expect(() => client.rotateSecret('h2')).toThrow(ConflictError);
    expect(() => client.revoke('cli_other')).toThrow(ConflictError);
  });

  it('refuses to revoke itself', () => {
    const client = register();
    expect(() => client.revoke(client.id)).toThrow(/authenticated as/);
  });

  it('refuses to take its own admin scope away, and lets another admin do it', () => {
    const admin = ApiClient.register({ tenantId: 'ten_1', name: 'admin', description: null, scopes: ['platform:admin', 'crm:read'], secretHash: 'h' });
    expect(() => admin.change({ scopes: ['crm:read'] }, admin.id)).toThrow(/lock it out/);
    admin.change({ scopes: ['platform:admin'] }, admin.id);
    expect(admin.snapshot.scopes).toEqual(['platform:admin']);
    admin.change({ scopes: ['crm:read'] }, 'cli_other');
    expect(admin.snapshot.scopes).toEqual(['crm:read']);
  });
});
