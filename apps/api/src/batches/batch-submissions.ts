import type { IncomingMessage } from 'node:http';
import { Inject, Injectable } from '@nestjs/common';
import { projectLimitsOf, UpstreamPicker } from '@keyfleet/admission';
import { KEYFLEET_CONFIG, type KeyfleetConfig } from '@keyfleet/config';
import { KeyfleetError } from '@keyfleet/errors';
import {
  chooseLane,
  ECONOMY_PRICE_FACTOR,
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
import { BatchCostTally } from './batch-cost-tally';
import { uploadBytes } from './upload-stream';

export interface SubmissionQuery {
  model?: unknown;
  displayName?: unknown;
  priority?: unknown;
  lane?: unknown;
  deadline?: unknown;
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
    private readonly picker: UpstreamPicker,
  ) {}

  /** The batch's items, then (after the last) the check of its estimated cost against the client's budget. */
  async parse(
    request: IncomingMessage & { body?: unknown },
    query: SubmissionQuery,
    client: AuthenticatedClient,
  ): Promise<ParsedBatch> {
    const { parsed, tally } = await this.parseItems(request, query);
    // An economy batch is priced at Batch Mode's half price; auto, not yet decided, at the live price.
    const factor = parsed.lane === 'economy' ? ECONOMY_PRICE_FACTOR : 1;
    const estimateMicros = () => {
      const live = tally.liveCostMicros();
      return live === null ? null : live * factor;
    };
    return { ...parsed, items: await this.budget.check(client, parsed.model, parsed.items, estimateMicros) };
  }

  private async parseItems(
    request: IncomingMessage & { body?: unknown },
    query: SubmissionQuery,
  ): Promise<{ parsed: ParsedBatch; tally: BatchCostTally }> {
    const { maxBatchItems, maxBodyBytes, maxJsonBytes } = this.config.limits;
    if (isNdjson(request.headers['content-type'])) {
      const header = parseNdjsonHeader(query);
      const projects = await this.servingProjects(header.model);
      const bytes = uploadBytes(request, maxBodyBytes);
      const items = ndjsonItems(bytes, { maxBatchItems, maxLineBytes: maxJsonBytes }, header.model);
      return this.withLane({ ...header, items }, projects, 'ndjson');
    }
    const parsed = parseJsonBatch(request.body, { maxBatchItems });
    const projects = await this.servingProjects(parsed.model);
    return this.withLane(parsed, projects, 'json');
  }

  /**
   * Items with their estimates, and the lane decided from the batch's estimated cost once all are read;
   * the tally of that cost (what the budget check reads too).
   */
  private async withLane(
    parsed: ParsedBatch,
    projects: readonly ProjectLimits[],
    format: BatchFormat,
  ): Promise<{ parsed: ParsedBatch; tally: BatchCostTally }> {
    const tally = new BatchCostTally(await this.picker.pricer(parsed.model));
    const decideLane = () =>
      chooseLane({
        lane: parsed.lane ?? 'live',
        deadline: parsed.deadline ?? null,
        liveCostUsd: tally.liveCostUsd(),
        turnaroundMs: this.config.batchMode.turnaroundMs,
      });
    const items = withEstimates(parsed.items, projects, parsed.model, format, tally);
    return { parsed: { ...parsed, items, decideLane }, tally };
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
  tally: BatchCostTally,
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
    tally.add(item.request, estTokens);
    yield item;
  }
}

function isNdjson(contentType: string | undefined): boolean {
  return (contentType ?? '').split(';')[0].trim().toLowerCase() === 'application/x-ndjson';
}
