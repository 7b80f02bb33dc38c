import { Column, CreateDateColumn, Entity, PrimaryColumn } from 'typeorm';

@Entity('accounts')
export class AccountEntity {
  @PrimaryColumn('uuid')
  id: string;

  /** The account's integer id inside the matching engine (bigint comes back as a string). */
  @Column({ name: 'engine_id', type: 'bigint', insert: false, update: false })
  engineId: string;

  @Column('text')
  name: string;

  /** What the account may do; each of its keys holds a subset. */
  @Column('text', { array: true })
  scopes: string[];

  /** Sent to sellers' clusters with the leases they provision for this account (written by the order writer). */
  @Column({ name: 'ssh_public_key', type: 'text', nullable: true, insert: false, update: false })
  sshPublicKey: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;
}
