import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';
import { Column, DataType, Model, Table } from 'sequelize-typescript';

@Table({ tableName: 'platform_secrets', timestamps: false, underscored: true })
export class PlatformSecretModel extends Model {
  @Column({ type: DataType.STRING(60), primaryKey: true }) declare name: string;
  @Column({ type: DataType.TEXT, allowNull: false }) declare value: string;
  @Column({ type: DataType.DATE, allowNull: false }) declare created_at: Date;
}

/**
 * Keys derived from one master secret. The master secret lives in the database (made on first
 * start), so every process sharing the database signs and verifies with the same keys;
 * STRATUM_SECRET overrides it.
 */
export interface Keyring {
  tokenKey: Uint8Array;
  cursorKey: Buffer;
  dataKey: Buffer;
}

function derive(master: Buffer, purpose: string): Buffer {
  return Buffer.from(hkdfSync('sha256', master, Buffer.alloc(0), `stratum:${purpose}`, 32));
}

export function keyringFrom(master: Buffer): Keyring {
  return { tokenKey: new Uint8Array(derive(master, 'token')), cursorKey: derive(master, 'cursor'), dataKey: derive(master, 'data') };
}

export async function loadKeyring(override: string | undefined): Promise<Keyring> {
  if (override) return keyringFrom(Buffer.from(override, 'base64url'));
  await PlatformSecretModel.bulkCreate(
    [{ name: 'master', value: randomBytes(48).toString('base64url'), created_at: new Date() }],
    { ignoreDuplicates: true },
  );
  const row = await PlatformSecretModel.findByPk('master', { raw: true });
  if (!row) throw new Error('master secret missing after insert');
  return keyringFrom(Buffer.from(row.value, 'base64url'));
}

/** AES-256-GCM, for data at rest that must be readable again (stored idempotent responses). */
export function seal(key: Buffer, plaintext: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  return Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64');
}

export function unseal(key: Buffer, sealed: string): string {
  const raw = Buffer.from(sealed, 'base64');
  const decipher = createDecipheriv('aes-256-gcm', key, raw.subarray(0, 12));
  decipher.setAuthTag(raw.subarray(12, 28));
  return Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]).toString('utf8');
}
