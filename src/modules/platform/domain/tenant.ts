import { newId } from '../../../platform/ids';

export interface Tenant {
  id: string;
  name: string;
  createdAt: Date;
}

export const ALL_SCOPES = ['platform:admin', 'crm:read', 'crm:write', 'wms:read', 'wms:write', 'erp:read', 'erp:write'] as const;

export function newTenant(name: string, now = new Date()): Tenant {
  if (!/^[a-z0-9][a-z0-9-]{0,99}$/.test(name)) throw new Error('a tenant name is 1-100 lower-case letters, digits and dashes');
  return { id: newId('ten'), name, createdAt: now };
}
