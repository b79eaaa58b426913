import { ConflictError } from '../../../platform/errors';
import { type DomainEvent, domainEvent } from '../../../platform/events/domain-event';
import { isId, newId } from '../../../platform/ids';

export type ApiClientStatus = 'active' | 'revoked';

export interface ApiClientState {
  id: string;
  tenantId: string;
  name: string;
  description: string | null;
  scopes: string[];
  status: ApiClientStatus;
  secretHash: string;
  version: number;
  createdAt: Date;
  updatedAt: Date;
  secretRotatedAt: Date | null;
  revokedAt: Date | null;
}

export interface ApiClientChanges {
  name?: string;
  description?: string | null;
  scopes?: string[];
}

const AGGREGATE = 'api_client';
const ADMIN_SCOPE = 'platform:admin';

const sameSet = (a: readonly string[], b: readonly string[]) => a.length === b.length && a.every((x) => b.includes(x));

export const isApiClientId = (value: string): boolean => isId('cli', value);

/**
 * A machine credential of a tenant. It may be granted only its `scopes`; once revoked it is
 * final. Every change bumps `version` (optimistic concurrency) and records an event.
 */
export class ApiClient {
  private pending: DomainEvent[] = [];

  private constructor(private state: ApiClientState) {}

  static register(input: { tenantId: string; name: string; description: string | null; scopes: string[]; secretHash: string }, now = new Date()): ApiClient {
    const client = new ApiClient({
      id: newId('cli'),
      tenantId: input.tenantId,
      name: input.name,
      description: input.description,
      scopes: [...input.scopes],
      status: 'active',
      secretHash: input.secretHash,
      version: 1,
      createdAt: now,
      updatedAt: now,
      secretRotatedAt: null,
      revokedAt: null,
    });
    client.record('platform.api_client.created', { name: input.name, scopes: [...input.scopes] }, now);
    return client;
  }

  static restore(state: ApiClientState): ApiClient {
    return new ApiClient({ ...state });
  }

  get snapshot(): Readonly<ApiClientState> {
    return this.state;
  }

  get id(): string {
    return this.state.id;
  }

  get version(): number {
    return this.state.version;
  }

  /** `byClientId`: the client the request is authenticated as; it may not take its own admin scope away. */
  change(changes: ApiClientChanges, byClientId: string, now = new Date()): void {
    this.assertActive('changed');
    if (byClientId === this.state.id && changes.scopes && this.state.scopes.includes(ADMIN_SCOPE) && !changes.scopes.includes(ADMIN_SCOPE)) {
      throw new ConflictError(`API client ${this.state.id} is the client this request is authenticated as; removing its ${ADMIN_SCOPE} scope would lock it out. Change it with another admin client.`);
    }
    const changed = Object.keys(changes).filter((k) => {
      const key = k as keyof ApiClientChanges;
      // Scopes are a set: the same scopes in another order change nothing.
      if (key === 'scopes') return !sameSet(changes.scopes!, this.state.scopes);
      return JSON.stringify(changes[key]) !== JSON.stringify(this.state[key]);
    });
    if (!changed.length) return;
    this.state = { ...this.state, ...changes, scopes: changes.scopes ? [...changes.scopes] : this.state.scopes };
    this.bump(now);
    this.record('platform.api_client.updated', { changed }, now);
  }

  revoke(byClientId: string, now = new Date()): void {
    this.assertActive('revoked');
    if (byClientId === this.state.id) {
      throw new ConflictError(`API client ${this.state.id} is the client this request is authenticated as; revoke it with another admin client.`);
    }
    this.state = { ...this.state, status: 'revoked', revokedAt: now };
    this.bump(now);
    this.record('platform.api_client.revoked', {}, now);
  }

  rotateSecret(secretHash: string, now = new Date()): void {
    this.assertActive('rotated');
    this.state = { ...this.state, secretHash, secretRotatedAt: now };
    this.bump(now);
    this.record('platform.api_client.secret_rotated', {}, now);
  }

  /** Scopes a token may carry: all allowed ones, or the requested subset. */
  grant(requested: string[] | undefined): { granted: string[] } | { refused: string[] } {
    if (!requested) return { granted: [...this.state.scopes] };
    const refused = requested.filter((s) => !this.state.scopes.includes(s));
    return refused.length ? { refused } : { granted: [...new Set(requested)] };
  }

  pullEvents(): DomainEvent[] {
    const events = this.pending;
    this.pending = [];
    return events;
  }

  private assertActive(verb: string): void {
    if (this.state.status === 'revoked') throw new ConflictError(`API client ${this.state.id} is revoked and cannot be ${verb}.`);
  }

  private bump(now: Date): void {
    this.state.version += 1;
    this.state.updatedAt = now;
  }

  private record(type: string, payload: Record<string, unknown>, now: Date): void {
    this.pending.push(domainEvent(type, this.state.tenantId, { type: AGGREGATE, id: this.state.id }, { api_client_id: this.state.id, ...payload }, now));
  }
}
