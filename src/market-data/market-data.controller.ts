import { Controller, Get, Inject, Param, Query } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { Public } from '../auth/auth.decorators';
import { BookQueryDto } from './dto/book-query.dto';
import { MarketDataService } from './market-data.service';

@ApiTags('market data')
@Public()
@Controller('v1/markets/:symbol')
export class MarketDataController {
  constructor(@Inject(MarketDataService) private readonly marketData: MarketDataService) {}

  /** Aggregated levels, best first, with the book's sequence (the WebSocket feed continues from it). */
  @Get('book')
  book(@Param('symbol') symbol: string, @Query() query: BookQueryDto) {
    return this.marketData.book(symbol, query.depth ?? 50);
  }
}
