import { Inject, Injectable } from '@nestjs/common';
import { Counter } from 'prom-client';
import { Metrics } from '../metrics/metrics';
import { TradingWriter } from '../writer/trading-writer';

/**
 * What operators alert on in the lease lifecycle, counted from committed batches: acceptance checks passed and
 * failed, and SLA credits paid (how many, and how much), by reason.
 */
@Injectable()
export class LeaseMetrics {
  constructor(@Inject(TradingWriter) writer: TradingWriter, @Inject(Metrics) metrics: Metrics) {
    const checks = new Counter({
      name: 'exchange_acceptance_checks_total',
      help: 'Leases whose cluster reported acceptance checks, by result (passed: went active; failed: refunded)',
      labelNames: ['result'],
      registers: [metrics.registry],
    });
    const credits = new Counter({
      name: 'exchange_sla_credits_total',
      help: 'SLA credits sellers paid buyers, by reason (late_activation, ended_early, not_delivered)',
      labelNames: ['reason'],
      registers: [metrics.registry],
    });
    const credited = new Counter({
      name: 'exchange_sla_credits_usd_total',
      help: 'USD of SLA credits sellers paid buyers, by reason',
      labelNames: ['reason'],
      registers: [metrics.registry],
    });
    writer.onCommitted((batch) => {
      for (const { events } of batch.entries) {
        for (const e of events) {
          if (e.type === 'lease.changed' && e.lease.checks !== null) {
            if (e.transition === 'activated') checks.inc({ result: 'passed' });
            else if (e.transition === 'failed') checks.inc({ result: 'failed' });
          } else if (e.type === 'ledger.posted' && e.transaction.credit) {
            const { reason } = e.transaction.credit;
            credits.inc({ reason });
            credited.inc({ reason }, e.transaction.postings[1].amount.toNumber());
          }
        }
      }
    });
  }
}
