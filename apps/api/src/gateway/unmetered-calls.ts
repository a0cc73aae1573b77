import { Injectable, Logger } from '@nestjs/common';
import { ErrorCode, KeyfleetError } from '@keyfleet/errors';
import { KeyRetirements, PoolService, type PoolKey } from '@keyfleet/registry';
import type { UpstreamAnswer } from './upstream-http';
import { sendOnce, type UpstreamOutcome } from './upstream-outcome';

const MAX_KEYS_TRIED = 5;

/**
 * Calls that use no generation quota (countTokens, model info): any active key of a project serving the
 * model, round-robin over the pool; a bad key leaves service and the next one is tried.
 */
@Injectable()
export class UnmeteredCalls {
  private readonly logger = new Logger(UnmeteredCalls.name);
  private cursor = 0;

  constructor(
    private readonly pool: PoolService,
    private readonly retirements: KeyRetirements,
  ) {}

  async dispatch(model: string, send: (key: PoolKey) => Promise<UpstreamAnswer>): Promise<UpstreamOutcome> {
    const all = (await this.pool.poolFor(model)).flatMap((project) => project.keys);
    if (all.length === 0)
      throw new KeyfleetError(ErrorCode.Unavailable, `no usable upstream key for ${model}`);
    const start = this.cursor++;
    for (let i = 0; i < Math.min(all.length, MAX_KEYS_TRIED); i++) {
      const key = all[(start + i) % all.length];
      const result = await sendOnce(() => send(key));
      if (result.kind === 'ok') return result;
      const { failure } = result;
      if (failure.kind !== 'invalid_key' && failure.kind !== 'key_blocked') return result;
      const reason = `upstream ${failure.status} ${failure.reason ?? failure.rpcStatus}`;
      this.logger.warn(`key …${key.lastFour} taken out of service: ${reason}`);
      await this.retirements.takeOutOfService(key.id, reason, 'api');
    }
    throw new KeyfleetError(ErrorCode.Unavailable, `no usable upstream key for ${model}`);
  }
}
