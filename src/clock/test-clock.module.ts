import { Module } from '@nestjs/common';
import { OrdersModule } from '../orders/orders.module';
import { TestClockController } from './test-clock.controller';

@Module({ imports: [OrdersModule], controllers: [TestClockController] })
export class TestClockModule {}
