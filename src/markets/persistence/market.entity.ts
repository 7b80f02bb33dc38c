import { Column, CreateDateColumn, Entity, PrimaryColumn } from 'typeorm';

@Entity('markets')
export class MarketEntity {
  @PrimaryColumn('text')
  symbol: string;

  @Column('text')
  gpu: string;

  @Column('text')
  region: string;

  @Column({ name: 'lease_class', type: 'text' })
  leaseClass: 'firm' | 'int';

  /** numeric: a decimal string, never a float. */
  @Column({ name: 'tick_size', type: 'numeric', precision: 20, scale: 6 })
  tickSize: string;

  @Column({ name: 'lot_size', type: 'integer' })
  lotSize: number;

  @Column({ name: 'min_duration_hours', type: 'integer' })
  minDurationHours: number;

  @Column({ name: 'max_duration_hours', type: 'integer' })
  maxDurationHours: number;

  @Column({ name: 'fee_bps', type: 'integer' })
  feeBps: number;

  @Column({ name: 'notice_minutes', type: 'integer' })
  noticeMinutes: number;

  @Column({ name: 'activation_minutes', type: 'integer' })
  activationMinutes: number;

  @Column({ name: 'credit_bps', type: 'integer' })
  creditBps: number;

  @Column({ name: 'require_checks', type: 'boolean' })
  requireChecks: boolean;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;
}
