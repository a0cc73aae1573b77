import { Module } from '@nestjs/common';
import { DispatchSignals } from './dispatch-signals';
import { FairShare } from './fair-share';

/** Turn-taking between clients and the wake-up signal of dispatchers. Needs the global RedisModule and ConfigModule. */
@Module({ providers: [FairShare, DispatchSignals], exports: [FairShare, DispatchSignals] })
export class FairShareModule {}
