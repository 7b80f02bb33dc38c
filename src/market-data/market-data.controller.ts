import { Controller, Get, Inject, Param, Query } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiAnswer } from '../common/api-responses';
import { Public } from '../auth/auth.decorators';
import { LimitQueryDto } from '../common/dto/limit-query.dto';
import { BookQueryDto, CandlesQueryDto } from './dto/book-query.dto';
import { MarketDataService } from './market-data.service';

@ApiTags('market data')
@Public()
@Controller('v1/markets/:symbol')
export class MarketDataController {
  constructor(@Inject(MarketDataService) private readonly marketData: MarketDataService) {}

  /** Aggregated levels, best first, with the book's sequence (the WebSocket feed continues from it). */
  @ApiOperation({ summary: 'The order book, best levels first' })
  @ApiAnswer(200, 'Book', 'the book')
  @Get('book')
  book(@Param('symbol') symbol: string, @Query() query: BookQueryDto) {
    return this.marketData.book(symbol, query.depth ?? 50);
  }

  /** Newest first. */
  @ApiOperation({ summary: 'Recent trades, newest first' })
  @ApiAnswer(200, ['Trade'], 'trades, newest first')
  @Get('trades')
  trades(@Param('symbol') symbol: string, @Query() query: LimitQueryDto) {
    return this.marketData.trades(symbol, query.limit ?? 100);
  }

  /** Newest first; volume in GPU-hours. */
  @ApiOperation({ summary: 'Candles, newest first' })
  @ApiAnswer(200, ['Candle'], 'candles, newest first')
  @Get('candles')
  candles(@Param('symbol') symbol: string, @Query() query: CandlesQueryDto) {
    return this.marketData.candles(symbol, query.interval ?? '1h', query.limit ?? 100);
  }

  /** Best bid and ask, last price, and the last 24 hours' GPU-hours and VWAP. */
  @ApiOperation({ summary: 'Best bid and ask, last price, 24-hour volume' })
  @ApiAnswer(200, 'Ticker', 'the ticker')
  @Get('ticker')
  ticker(@Param('symbol') symbol: string) {
    return this.marketData.ticker(symbol);
  }
}
