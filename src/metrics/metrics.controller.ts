import { Controller, Get, Header, Inject } from '@nestjs/common';
import { ApiOperation, ApiTags, ApiProduces } from '@nestjs/swagger';
import { ApiAnswer } from '../common/api-responses';
import { Public } from '../auth/auth.decorators';
import { Metrics } from './metrics';

/** Prometheus scrapes this (text exposition format 0.0.4). */
@ApiTags('operators')
@Public()
@Controller('metrics')
export class MetricsController {
  constructor(@Inject(Metrics) private readonly metrics: Metrics) {}

  @ApiOperation({ summary: 'Prometheus metrics' })
  @ApiProduces('text/plain')
  @ApiAnswer(200, { type: 'string' }, 'the Prometheus text format')
  @Get()
  @Header('content-type', 'text/plain; version=0.0.4; charset=utf-8')
  scrape(): Promise<string> {
    return this.metrics.registry.metrics();
  }
}
