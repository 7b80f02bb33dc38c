import { DynamicModule, Global, Module } from '@nestjs/common';
import { Clock, SystemClock, TestClock } from '../common/clock';

/** The exchange's clock: the system clock, or with TEST_CLOCK=true one that admins can move forward. */
@Global()
@Module({})
export class ClockModule {
  static forRoot(testClock: boolean): DynamicModule {
    return {
      module: ClockModule,
      providers: [{ provide: Clock, useValue: testClock ? new TestClock() : new SystemClock() }],
      exports: [Clock],
    };
  }
}
