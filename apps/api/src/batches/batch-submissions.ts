import { Inject, Injectable } from '@nestjs/common';
import { KEYFLEET_CONFIG, type KeyfleetConfig } from '@keyfleet/config';
import { KeyfleetError } from '@keyfleet/errors';
import { parseJsonBatch, parseNdjsonBatch, type ParsedBatch } from '@keyfleet/batches';
import { PoolService } from '@keyfleet/registry';

export interface SubmissionQuery {
  model?: unknown;
  displayName?: unknown;
  priority?: unknown;
}

/**
 * Turns a POST /v1/batches body into a validated batch, or rejects it before anything is written.
 * An unknown model is 400 INVALID_ARGUMENT (not 404): the path names no model, the body does, so it
 * is an invalid argument of the request like any other bad field.
 */
@Injectable()
export class BatchSubmissions {
  constructor(
    @Inject(KEYFLEET_CONFIG) private readonly config: KeyfleetConfig,
    private readonly pool: PoolService,
  ) {}

  async parse(body: unknown, contentType: string | undefined, query: SubmissionQuery): Promise<ParsedBatch> {
    const limits = { maxBatchItems: this.config.limits.maxBatchItems };
    const parsed = isNdjson(contentType)
      ? parseNdjsonBatch(typeof body === 'string' ? body : '', query, limits)
      : parseJsonBatch(body, limits);
    await this.assertServed(parsed.model);
    return parsed;
  }

  private async assertServed(model: string): Promise<void> {
    const served = await this.pool.servedModels();
    if (served.includes(model)) return;
    const known = served.length > 0 ? `served: ${served.join(', ')}` : 'no model is served yet';
    throw KeyfleetError.invalid(`model: unknown model "${model}" (${known})`);
  }
}

function isNdjson(contentType: string | undefined): boolean {
  return (contentType ?? '').split(';')[0].trim().toLowerCase() === 'application/x-ndjson';
}
