import type { IncomingMessage } from 'node:http';
import { Inject, Injectable } from '@nestjs/common';
import { projectLimitsOf } from '@keyfleet/admission';
import { KEYFLEET_CONFIG, type KeyfleetConfig } from '@keyfleet/config';
import { KeyfleetError } from '@keyfleet/errors';
import {
  itemField,
  ndjsonItems,
  parseJsonBatch,
  parseNdjsonHeader,
  type BatchFormat,
  type BatchItemInput,
  type ParsedBatch,
} from '@keyfleet/batches';
import { estimateTokens, largestRequestTokens, requestFit, type ProjectLimits } from '@keyfleet/quota';
import { PoolService, type AuthenticatedClient } from '@keyfleet/registry';
import { BatchBudget } from './batch-budget';
import { uploadBytes } from './upload-stream';

export interface SubmissionQuery {
  model?: unknown;
  displayName?: unknown;
  priority?: unknown;
}

/**
 * Turns a POST /v1/batches request into a validated batch, or rejects it before anything is committed.
 * A JSON body (bounded by KF_MAX_JSON_MB) is parsed whole; an NDJSON upload is read as a stream, its
 * batch fields (query) checked before its first byte, each line as it arrives. An unknown model is
 * 400 INVALID_ARGUMENT (not 404): the path names no model, the body does, so it is an invalid argument
 * of the request like any other bad field. So is an item whose estimated input can never fit any
 * project serving the model: it would wait forever.
 */
@Injectable()
export class BatchSubmissions {
  constructor(
    @Inject(KEYFLEET_CONFIG) private readonly config: KeyfleetConfig,
    private readonly pool: PoolService,
    private readonly budget: BatchBudget,
  ) {}

  /** The batch's items, then (after the last) the check of its estimated cost against the client's budget. */
  async parse(
    request: IncomingMessage & { body?: unknown },
    query: SubmissionQuery,
    client: AuthenticatedClient,
  ): Promise<ParsedBatch> {
    const parsed = await this.parseItems(request, query);
    return { ...parsed, items: await this.budget.check(client, parsed.model, parsed.items) };
  }

  private async parseItems(
    request: IncomingMessage & { body?: unknown },
    query: SubmissionQuery,
  ): Promise<ParsedBatch> {
    const { maxBatchItems, maxBodyBytes, maxJsonBytes } = this.config.limits;
    if (isNdjson(request.headers['content-type'])) {
      const header = parseNdjsonHeader(query);
      const projects = await this.servingProjects(header.model);
      const bytes = uploadBytes(request, maxBodyBytes);
      const items = ndjsonItems(bytes, { maxBatchItems, maxLineBytes: maxJsonBytes }, header.model);
      return { ...header, items: withEstimates(items, projects, header.model, 'ndjson') };
    }
    const parsed = parseJsonBatch(request.body, { maxBatchItems });
    const projects = await this.servingProjects(parsed.model);
    return { ...parsed, items: withEstimates(parsed.items, projects, parsed.model, 'json') };
  }

  private async servingProjects(model: string): Promise<ProjectLimits[]> {
    const pool = await this.pool.poolFor(model);
    if (pool.length > 0) return pool.map(projectLimitsOf);
    const served = await this.pool.servedModels();
    const known = served.length > 0 ? `served: ${served.join(', ')}` : 'no model is served yet';
    throw KeyfleetError.invalid(`model: unknown model "${model}" (${known})`);
  }
}

/**
 * Each item with its estimated input tokens; one that can never fit any serving project is refused. The
 * item is completed in place: a copy per item, at a million items, was what the heap kept longest.
 */
async function* withEstimates(
  items: Iterable<BatchItemInput> | AsyncIterable<BatchItemInput>,
  projects: readonly ProjectLimits[],
  model: string,
  format: BatchFormat,
): AsyncGenerator<BatchItemInput> {
  const fits = requestFit(projects);
  for await (const item of items) {
    const estTokens = estimateTokens(item.request);
    if (!fits(estTokens)) {
      throw KeyfleetError.invalid(
        `${itemField(format, item.lineNo, 'request')}: its estimated input (${estTokens} tokens) exceeds ` +
          `what any project serving ${model} takes in one request (at most ${largestRequestTokens(projects)} tokens): it could never be sent`,
      );
    }
    item.estTokens = estTokens;
    yield item;
  }
}

function isNdjson(contentType: string | undefined): boolean {
  return (contentType ?? '').split(';')[0].trim().toLowerCase() === 'application/x-ndjson';
}
