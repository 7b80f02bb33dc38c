import { Controller, Get, Inject } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiAnswer } from '../common/api-responses';
import { RequireScopes } from '../auth/auth.decorators';
import { LedgerService } from './ledger.service';

@ApiTags('admin')
@ApiBearerAuth()
@RequireScopes('admin')
@Controller('v1/admin/ledger')
export class AdminLedgerController {
  constructor(@Inject(LedgerService) private readonly ledger: LedgerService) {}

  /** Checks every ledger invariant: each transaction sums to zero, balances match entries, no money created. */
  @ApiOperation({ summary: 'Check that the ledger balances (admin)' })
  @ApiAnswer(200, 'LedgerAudit', 'the audit')
  @Get('audit')
  async audit() {
    const problems = await this.ledger.problems();
    return { balanced: problems.length === 0, problems };
  }
}
