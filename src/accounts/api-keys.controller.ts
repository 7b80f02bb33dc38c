import { Body, Controller, Delete, Get, Inject, Param, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiAnswer, ApiRefusals } from '../common/api-responses';
import { CurrentPrincipal, RequireScopes } from '../auth/auth.decorators';
import { Principal } from '../auth/principal';
import { LimitQueryDto } from '../common/dto/limit-query.dto';
import { accountOf } from './accounts.controller';
import { ApiKeysService } from './api-keys.service';
import { CreateApiKeyDto } from './dto/create-api-key.dto';

/** The calling account's own API keys (any of its keys may list them; creating and revoking follow the scopes). */
@ApiTags('account')
@ApiBearerAuth()
@RequireScopes('read', 'trade', 'sell')
@Controller('v1/account/api-keys')
export class ApiKeysController {
  constructor(@Inject(ApiKeysService) private readonly keys: ApiKeysService) {}

  /** The new key is in `apiKey`, shown this once. */
  @ApiOperation({ summary: 'Create an API key (shown once)' })
  @ApiAnswer(201, 'CreatedApiKey', 'the key, its secret shown once')
  @ApiRefusals(409)
  @Post()
  create(@CurrentPrincipal() principal: Principal, @Body() body: CreateApiKeyDto) {
    return this.keys.create(principal, accountOf(principal), body);
  }

  @ApiOperation({ summary: 'List your API keys' })
  @ApiAnswer(200, ['ApiKey'], 'your keys, without secrets')
  @Get()
  list(@CurrentPrincipal() principal: Principal, @Query() query: LimitQueryDto) {
    return this.keys.list(accountOf(principal), query.limit ?? 100);
  }

  /** Revokes the key at once, closing its WebSocket sessions. */
  @ApiOperation({ summary: 'Revoke an API key at once' })
  @ApiAnswer(200, 'ApiKey', 'the revoked key')
  @Delete(':id')
  revoke(@CurrentPrincipal() principal: Principal, @Param('id') id: string) {
    return this.keys.revokeOwn(principal, accountOf(principal), id);
  }
}
