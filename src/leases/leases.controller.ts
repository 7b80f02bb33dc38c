import { Controller, Get, HttpCode, Inject, Param, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiAnswer, ApiRefusals } from '../common/api-responses';
import { LimitQueryDto } from '../common/dto/limit-query.dto';
import { CurrentPrincipal, RequireScopes } from '../auth/auth.decorators';
import { Principal } from '../auth/principal';
import { LeasesService } from './leases.service';

@ApiTags('leases')
@ApiBearerAuth()
@Controller('v1/leases')
export class LeasesController {
  constructor(@Inject(LeasesService) private readonly leases: LeasesService) {}

  @ApiOperation({ summary: 'Your leases, as buyer or seller' })
  @ApiAnswer(200, ['Lease'], 'your leases, newest first')
  @Get()
  @RequireScopes('read', 'trade', 'sell')
  list(@CurrentPrincipal() principal: Principal, @Query() query: LimitQueryDto) {
    return this.leases.list(principal, query.limit ?? 100);
  }

  @ApiOperation({ summary: 'One of your leases' })
  @ApiAnswer(200, 'Lease', 'the lease')
  @Get(':id')
  @RequireScopes('read', 'trade', 'sell')
  one(@CurrentPrincipal() principal: Principal, @Param('id') id: string) {
    return this.leases.one(principal, id);
  }

  @ApiOperation({ summary: 'What the exchange sent the cluster for a lease (seller)' })
  @ApiAnswer(200, ['Delivery'], 'the deliveries')
  @Get(':id/deliveries')
  @RequireScopes('sell')
  deliveries(@CurrentPrincipal() principal: Principal, @Param('id') id: string) {
    return this.leases.deliveries(principal, id);
  }

  @ApiOperation({ summary: "Hand a lease's GPUs back early (buyer)" })
  @ApiAnswer(200, 'Lease', 'the released lease')
  @ApiRefusals(409)
  @Post(':id/release')
  @HttpCode(200)
  @RequireScopes('trade')
  release(@CurrentPrincipal() principal: Principal, @Param('id') id: string) {
    return this.leases.release(principal, id);
  }

  @ApiOperation({ summary: "Interrupt a lease after the market's notice (seller, interruptible markets)" })
  @ApiAnswer(200, 'Lease', 'the lease, with its interruptAt')
  @ApiRefusals(409)
  @Post(':id/interrupt')
  @HttpCode(200)
  @RequireScopes('sell')
  interrupt(@CurrentPrincipal() principal: Principal, @Param('id') id: string) {
    return this.leases.interrupt(principal, id);
  }
}
