import { Op, type Transaction, UniqueConstraintError } from 'sequelize';
import { Column, DataType, Model, Table } from 'sequelize-typescript';
import { seal, unseal } from '../auth/keyring';
import type { IdempotencyClaim } from '../db/unit-of-work';
import { ConflictError } from '../errors';

@Table({ tableName: 'idempotency_keys', timestamps: false, underscored: true })
export class IdempotencyKeyModel extends Model {
  @Column({ type: DataType.STRING(40), primaryKey: true }) declare tenant_id: string;
  @Column({ type: DataType.STRING(255), primaryKey: true }) declare key: string;
  @Column({ type: DataType.STRING(64), allowNull: false }) declare request_hash: string;
  @Column({ type: DataType.STRING(10), allowNull: false }) declare state: 'pending' | 'committed' | 'done';
  @Column({ type: DataType.INTEGER, allowNull: true }) declare response_status: number | null;
  @Column({ type: DataType.TEXT, allowNull: true }) declare response: string | null;
  @Column({ type: DataType.DATE, allowNull: false }) declare created_at: Date;
  @Column({ type: DataType.DATE, allowNull: false }) declare locked_until: Date;
  @Column({ type: DataType.DATE, allowNull: false }) declare expires_at: Date;
}

export interface StoredResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

export type Claim =
  /** `token` identifies this claim: completing or releasing touches only the row it made. */
  | { kind: 'claimed'; token: Date }
  | { kind: 'replay'; response: StoredResponse }
  | { kind: 'reused' }
  | { kind: 'in_progress' }
  /** Stored under another master secret (STRATUM_SECRET changed): it cannot be replayed, nor safely run again. */
  | { kind: 'unreadable' }
  /** The first request's change committed but its answer was never stored: it must not run again. */
  | { kind: 'lost' };

/** The request's claim was taken over by a retry (it ran past the claim's lock): it must not commit. */
export class ClaimLostError extends ConflictError {}

const RETENTION_MS = 24 * 60 * 60 * 1000;
/** A claim whose request has not finished by then is taken to have died with its process. */
const LOCK_MS = 60_000;

/**
 * Idempotency keys live in the database, so they hold across every process sharing it. A key is
 * claimed by inserting its row: the primary key makes exactly one of several concurrent requests
 * the owner. Stored responses are encrypted: they may hold a secret shown once.
 */
export class IdempotencyStore {
  constructor(private readonly dataKey: Buffer) {}

  async claim(tenantId: string, key: string, requestHash: string): Promise<Claim> {
    for (let attempt = 0; attempt < 3; attempt++) {
      const now = new Date();
      try {
        await IdempotencyKeyModel.create({
          tenant_id: tenantId,
          key,
          request_hash: requestHash,
          state: 'pending',
          created_at: now,
          locked_until: new Date(now.getTime() + LOCK_MS),
          expires_at: new Date(now.getTime() + RETENTION_MS),
        });
        return { kind: 'claimed', token: now };
      } catch (err) {
        if (!(err instanceof UniqueConstraintError)) throw err;
      }
      const row = await IdempotencyKeyModel.findOne({ where: { tenant_id: tenantId, key }, raw: true });
      if (!row) continue; // released in between: try to claim again
      const expired = new Date(row.expires_at) <= now;
      // Only a claim whose change never committed may be run again; a committed one never is.
      const abandoned = row.state === 'pending' && new Date(row.locked_until) <= now;
      if (expired || abandoned) {
        await IdempotencyKeyModel.destroy({ where: { tenant_id: tenantId, key, created_at: row.created_at } });
        continue;
      }
      if (row.request_hash !== requestHash) return { kind: 'reused' };
      if (row.state === 'pending') return { kind: 'in_progress' };
      if (row.state === 'committed') return new Date(row.locked_until) <= now ? { kind: 'lost' } : { kind: 'in_progress' };
      let response: StoredResponse;
      try {
        response = JSON.parse(unseal(this.dataKey, row.response!)) as StoredResponse;
      } catch {
        return { kind: 'unreadable' };
      }
      return { kind: 'replay', response };
    }
    return { kind: 'in_progress' };
  }

  /**
   * Called by the unit of work inside its transaction, before it commits: the claim of the
   * request it serves becomes `committed` together with the change. So a claim
   * whose answer is never stored is known to have taken effect and is not run again; and a
   * request whose claim a retry took over (it ran past the lock) finds no row and rolls back.
   */
  async markCommitted(claim: IdempotencyClaim, transaction: Transaction): Promise<void> {
    const [count] = await IdempotencyKeyModel.update(
      { state: 'committed' },
      { where: { tenant_id: claim.tenantId, key: claim.key, created_at: claim.token, state: { [Op.in]: ['pending', 'committed'] } }, transaction },
    );
    if (count !== 1) {
      throw new ClaimLostError(`The Idempotency-Key ${claim.key} was taken over by a retry while this request ran; this request was not carried out.`);
    }
  }

  async complete(tenantId: string, key: string, token: Date, response: StoredResponse): Promise<void> {
    const where = { tenant_id: tenantId, key, state: { [Op.in]: ['pending', 'committed'] }, created_at: token };
    const values = { state: 'done' as const, response_status: response.status, response: seal(this.dataKey, JSON.stringify(response)) };
    try {
      await IdempotencyKeyModel.update(values, { where });
    } catch {
      // The change is committed: losing its record would let a retry run it again. Once more.
      await IdempotencyKeyModel.update(values, { where });
    }
  }

  /** The request failed in a way that must not be replayed (a 5xx): free the key for a retry, unless its change committed. */
  async release(tenantId: string, key: string, token: Date): Promise<void> {
    await IdempotencyKeyModel.destroy({ where: { tenant_id: tenantId, key, state: 'pending', created_at: token } });
  }

  async purgeExpired(now = new Date()): Promise<number> {
    return IdempotencyKeyModel.destroy({ where: { expires_at: { [Op.lte]: now } } });
  }
}
