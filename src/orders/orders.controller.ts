import {
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  Inject,
  Param,
  Patch,
  Post,
  Query,
  Res,
} from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiAnswer, ApiRefusals } from '../common/api-responses';
import type { Response } from 'express';
import { CurrentPrincipal, RequireScopes } from '../auth/auth.decorators';
import { Principal } from '../auth/principal';
import { LimitQueryDto } from '../common/dto/limit-query.dto';
import { AmendOrderDto } from './dto/amend-order.dto';
import { CancelAllDto, ListOrdersDto } from './dto/list-orders.dto';
import { PlaceOrderDto } from './dto/place-order.dto';
import { OrdersService } from './orders.service';

@ApiTags('orders')
@ApiBearerAuth()
@Controller('v1')
export class OrdersController {
  constructor(@Inject(OrdersService) private readonly orders: OrdersService) {}

  /** 201 with the new order, durable when this returns; 200 with the original for a repeated clientOrderId. */
  @ApiOperation({ summary: 'Place an order' })
  @ApiAnswer(201, 'Order', 'the new order, durable')
  @ApiAnswer(200, 'Order', 'the original order of a repeated clientOrderId')
  @ApiRefusals(404, 409)
  @Post('orders')
  @RequireScopes('trade', 'sell')
  async place(
    @CurrentPrincipal() principal: Principal,
    @Body() body: PlaceOrderDto,
    @Res({ passthrough: true }) response: Response,
  ) {
    const { order, created } = await this.orders.place(principal, body);
    response.status(created ? 201 : 200);
    return order;
  }

  @ApiOperation({ summary: 'List your orders' })
  @ApiAnswer(200, ['Order'], 'your orders, newest first')
  @Get('orders')
  @RequireScopes('read', 'trade', 'sell')
  list(@CurrentPrincipal() principal: Principal, @Query() query: ListOrdersDto) {
    return this.orders.list(principal, query.status ?? null, query.symbol ?? null, query.limit ?? 100);
  }

  @ApiOperation({ summary: 'One of your orders' })
  @ApiAnswer(200, 'Order', 'the order')
  @Get('orders/:id')
  @RequireScopes('read', 'trade', 'sell')
  one(@CurrentPrincipal() principal: Principal, @Param('id') id: string) {
    return this.orders.one(principal, id);
  }

  @ApiOperation({ summary: 'Amend an open order' })
  @ApiAnswer(200, 'Order', 'the amended order')
  @ApiRefusals(409)
  @Patch('orders/:id')
  @RequireScopes('trade', 'sell')
  amend(@CurrentPrincipal() principal: Principal, @Param('id') id: string, @Body() body: AmendOrderDto) {
    return this.orders.amend(principal, id, body);
  }

  @ApiOperation({ summary: 'Cancel an open order' })
  @ApiAnswer(200, 'Order', 'the cancelled order')
  @ApiRefusals(409)
  @Delete('orders/:id')
  @HttpCode(200)
  @RequireScopes('trade', 'sell')
  cancel(@CurrentPrincipal() principal: Principal, @Param('id') id: string) {
    return this.orders.cancel(principal, id);
  }

  /** Cancels every open order of the account, in one market (`?symbol=`) or all; returns them. */
  @ApiOperation({ summary: 'Cancel all your open orders' })
  @ApiAnswer(200, ['Order'], 'the cancelled orders')
  @ApiRefusals(404)
  @Delete('orders')
  @HttpCode(200)
  @RequireScopes('trade', 'sell')
  cancelAll(@CurrentPrincipal() principal: Principal, @Query() query: CancelAllDto) {
    return this.orders.cancelAll(principal, query.symbol ?? null);
  }

  @ApiOperation({ summary: 'Your fills, newest first' })
  @ApiAnswer(200, ['Fill'], 'your fills, newest first')
  @Get('fills')
  @RequireScopes('read', 'trade', 'sell')
  fills(@CurrentPrincipal() principal: Principal, @Query() query: LimitQueryDto) {
    return this.orders.fills(principal, query.limit ?? 100);
  }
}
