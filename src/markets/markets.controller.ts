import { Body, Controller, Get, Inject, Param, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Public, RequireScopes } from '../auth/auth.decorators';
import { CreateMarketDto } from './dto/create-market.dto';
import { MarketsService } from './markets.service';

@ApiTags('markets')
@Controller('v1/markets')
export class MarketsController {
  constructor(@Inject(MarketsService) private readonly markets: MarketsService) {}

  @Public()
  @ApiOperation({ summary: 'List the markets' })
  @Get()
  list() {
    return this.markets.list();
  }

  @Public()
  @ApiOperation({ summary: 'One market' })
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
  @Post()
  create(@Body() body: CreateMarketDto) {
    return this.markets.create(body);
  }
}
