import { Module } from '@nestjs/common';
import { DashboardController } from './dashboard.controller';

/** /dashboard: the operators' page. */
@Module({ controllers: [DashboardController] })
export class DashboardModule {}
