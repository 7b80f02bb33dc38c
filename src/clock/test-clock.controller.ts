import { Body, Controller, HttpCode, Inject, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiProperty, ApiTags } from '@nestjs/swagger';
import { ApiAnswer } from '../common/api-responses';
import { IsInt, Max, Min } from 'class-validator';
import { RequireScopes } from '../auth/auth.decorators';
import { Clock, TestClock } from '../common/clock';
import { CommandBus } from '../writer/command-bus';

export class AdvanceClockDto {
  @ApiProperty({ type: 'integer', minimum: 1, maximum: 10 * 365 * 24 * 3600, example: 3600 })
  @IsInt()
  @Min(1)
  @Max(10 * 365 * 24 * 3600)
  seconds: number;
}

/** Exists only when the server runs with TEST_CLOCK=true (like Stripe's test clocks). */
@ApiTags('admin')
@ApiBearerAuth()
@RequireScopes('admin')
@Controller('v1/admin/clock')
export class TestClockController {
  constructor(
    @Inject(Clock) private readonly clock: TestClock,
    @Inject(CommandBus) private readonly commands: CommandBus,
  ) {}

  /** Moves time forward, then fires what that time brings (expiries, lease ends and settlements) before answering. */
  @ApiOperation({ summary: 'Move the test clock forward (admin, TEST_CLOCK=true)' })
  @ApiAnswer(200, 'ClockNow', 'the exchange time after the move')
  @Post('advance')
  @HttpCode(200)
  async advance(@Body() body: AdvanceClockDto) {
    this.clock.advance(body.seconds);
    await this.commands.submit({ kind: 'tick' });
    return { now: new Date(this.clock.now()).toISOString() };
  }
}
