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

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;
}
