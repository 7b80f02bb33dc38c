import { Column, CreateDateColumn, Entity, PrimaryColumn } from 'typeorm';

@Entity('api_keys')
export class ApiKeyEntity {
  @PrimaryColumn('uuid')
  id: string;

  @Column({ name: 'account_id', type: 'uuid' })
  accountId: string;

  /** SHA-256 of the key, hex: keys are 256 random bits, so a fast hash is enough and the key is never stored. */
  @Column({ name: 'key_hash', type: 'char', length: 64 })
  keyHash: string;

  /** The first characters of the key, to tell keys apart in listings. */
  @Column({ name: 'key_prefix', type: 'text' })
  keyPrefix: string;

  @Column('text')
  label: string;

  /** A subset of the account's scopes. */
  @Column('text', { array: true })
  scopes: string[];

  @Column({ name: 'expires_at', type: 'timestamptz', nullable: true })
  expiresAt: Date | null;

  /** Addresses and CIDR ranges the key may be used from; null = any. */
  @Column({ name: 'allowed_ips', type: 'text', array: true, nullable: true })
  allowedIps: string[] | null;

  @Column({ name: 'last_used_at', type: 'timestamptz', nullable: true, insert: false, update: false })
  lastUsedAt: Date | null;

  @Column({ name: 'revoked_at', type: 'timestamptz', nullable: true })
  revokedAt: Date | null;

  /** The key that created this one (null for the key an admin created with the account). */
  @Column({ name: 'created_by', type: 'uuid', nullable: true })
  createdBy: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;
}
