import { Controller, Get, Inject } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { Public } from '../auth/auth.decorators';
import { DomainError } from '../common/domain-error';
import { APP_CONFIG } from '../config/config.module';
import type { AppConfig } from '../config/app-config';

@ApiTags('health')
@Public()
@Controller()
export class HealthController {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** The process is alive. */
  @Get('health')
  health() {
    return { status: 'ok' };
  }

  /** The database answers; says which event bus is in use. */
  @Get('ready')
  async ready() {
    try {
      await this.dataSource.query('select 1');
    } catch {
      throw new DomainError('UNAVAILABLE', 'the database is unreachable');
    }
    return {
      status: 'ready',
      database: 'up',
      eventBus: this.config.kafka.brokers.length > 0 ? 'kafka' : 'in-process',
    };
  }
}
