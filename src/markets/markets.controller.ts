import { Body, Controller, Get, Inject, Param, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { Public, RequireScopes } from '../auth/auth.decorators';
import { CreateMarketDto } from './dto/create-market.dto';
import { MarketsService } from './markets.service';

@ApiTags('markets')
@Controller('v1/markets')
export class MarketsController {
  constructor(@Inject(MarketsService) private readonly markets: MarketsService) {}

  @Public()
  @Get()
  list() {
    return this.markets.list();
  }

  @Public()
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

  @Post()
  create(@Body() body: CreateMarketDto) {
    return this.markets.create(body);
  }
}
