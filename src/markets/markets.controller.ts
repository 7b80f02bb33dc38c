import { Body, Controller, Get, Inject, Param, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiAnswer, ApiRefusals } from '../common/api-responses';
import { Public, RequireScopes } from '../auth/auth.decorators';
import { CreateMarketDto } from './dto/create-market.dto';
import { MarketsService } from './markets.service';

@ApiTags('markets')
@Controller('v1/markets')
export class MarketsController {
  constructor(@Inject(MarketsService) private readonly markets: MarketsService) {}

  @Public()
  @ApiOperation({ summary: 'List the markets' })
  @ApiAnswer(200, ['Market'], 'the markets')
  @Get()
  list() {
    return this.markets.list();
  }

  @Public()
  @ApiOperation({ summary: 'One market' })
  @ApiAnswer(200, 'Market', 'the market')
  @Get(':symbol')
  get(@Param('symbol') symbol: string) {
    return this.markets.get(symbol);
  }
}

@ApiTags('admin')
@ApiBearerAuth()
@RequireScopes('admin')
@Controller('v1/admin/markets')
export class AdminMarketsController {
  constructor(@Inject(MarketsService) private readonly markets: MarketsService) {}

  @ApiOperation({ summary: 'Add a market (admin)' })
  @ApiAnswer(201, 'Market', 'the new market')
  @ApiRefusals(409)
  @Post()
  create(@Body() body: CreateMarketDto) {
    return this.markets.create(body);
  }
}
