import { Controller, Get, Inject, Param } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiAnswer } from '../common/api-responses';
import { Public } from '../auth/auth.decorators';
import { ReliabilityService } from './reliability.service';

/** Sellers' delivery records: public, like the book (see the README's "Delivery records"). */
@ApiTags('reliability')
@Public()
@Controller('v1')
export class ReliabilityController {
  constructor(@Inject(ReliabilityService) private readonly reliability: ReliabilityService) {}

  /** Leases delivered, failed, interrupted, lost and credited; on-time activation; time to active; GPU-hours. */
  @ApiOperation({ summary: "A seller's delivery record, and each of its clusters'" })
  @ApiAnswer(200, 'SellerReliability', 'the delivery record')
  @Get('sellers/:id/reliability')
  seller(@Param('id') id: string) {
    return this.reliability.seller(id);
  }

  /** The same for every seller that traded in the market, together and one by one. */
  @ApiOperation({ summary: "The delivery record of a market's sellers" })
  @ApiAnswer(200, 'MarketReliability', 'the delivery record')
  @Get('markets/:symbol/reliability')
  market(@Param('symbol') symbol: string) {
    return this.reliability.market(symbol);
  }
}
