import { randomUUID } from 'node:crypto';
import { readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Inject, Injectable, type OnModuleDestroy } from '@nestjs/common';
import type { BatchJob, GoogleGenAI, InlinedRequest } from '@google/genai';
import { KEYFLEET_CONFIG, type KeyfleetConfig } from '@keyfleet/config';
import { classifyUpstreamError } from './classify-upstream-error';
import { createGenAi } from './genai-factory';
import { toSdkParameters, type GenerateContentRequestBody } from './to-sdk-parameters';
import { UpstreamError } from './upstream-error';
import { UpstreamFetch } from './upstream-fetch';
import type { UpstreamCredential } from './gemini-client';

/** One request of a Batch Mode job, named by its key (the result line's key). */
export interface BatchModeRequest {
  key: string;
  request: GenerateContentRequestBody;
}

/** One result of a Batch Mode job: Google's answer or its error for the request `key`. */
export interface BatchModeResult {
  key: string | undefined;
  response?: Record<string, unknown>;
  error?: { code?: number; message?: string; status?: string };
}

/** A job as keyfleet follows it: Google's name and state (`BATCH_STATE_*` as the SDK maps it: `JOB_STATE_*`). */
export interface BatchModeJobStatus {
  name: string;
  state: string;
  displayName: string | undefined;
  /** Where the results are, once it ended. */
  dest: BatchJob['dest'];
}

const BATCH_TIMEOUT_MS = 300_000;
const INLINE_OVERHEAD_BYTES = 64;

/**
 * Google's Batch Mode through `@google/genai` (`ai.batches`, `ai.files`), with a pool key of the job's
 * project: create (inline up to KF_BATCH_MODE_INLINE_MAX_MB, else a JSONL file upload), get, cancel,
 * find by display name, and read the results. Failures are UpstreamErrors, classified like any call's.
 */
@Injectable()
export class GeminiBatches implements OnModuleDestroy {
  private readonly upstream = new UpstreamFetch();

  constructor(@Inject(KEYFLEET_CONFIG) private readonly config: KeyfleetConfig) {}

  /** Creates the job: inline when its requests fit Google's inline limit, else from an uploaded JSONL file. */
  async create(
    key: UpstreamCredential,
    model: string,
    displayName: string,
    requests: readonly BatchModeRequest[],
  ): Promise<BatchModeJobStatus & { inputFile: string | null }> {
    return this.call(key, async (ai) => {
      const jsonl = requests.map((entry) => JSON.stringify(entry)).join('\n');
      // The inline body wraps each request (`{request, metadata: {key}}`): room for that too.
      if (
        Buffer.byteLength(jsonl) + INLINE_OVERHEAD_BYTES * requests.length <=
        this.config.batchMode.inlineMaxBytes
      ) {
        const src = requests.map((entry) => inlined(model, entry));
        return {
          ...statusOf(await ai.batches.create({ model, src, config: { displayName } })),
          inputFile: null,
        };
      }
      const file = await ai.files.upload({
        file: new Blob([jsonl], { type: 'application/jsonl' }),
        config: { mimeType: 'application/jsonl', displayName },
      });
      if (!file.name) throw new Error('the file upload answered no name');
      const job = await ai.batches.create({ model, src: file.name, config: { displayName } });
      return { ...statusOf(job), inputFile: file.name };
    });
  }

  get(key: UpstreamCredential, name: string): Promise<BatchModeJobStatus> {
    return this.call(key, async (ai) => statusOf(await ai.batches.get({ name })));
  }

  cancel(key: UpstreamCredential, name: string): Promise<void> {
    return this.call(key, (ai) => ai.batches.cancel({ name }));
  }

  /** The project's job of that display name (a creation whose answer was lost), or null. */
  findByDisplayName(key: UpstreamCredential, displayName: string): Promise<BatchModeJobStatus | null> {
    return this.call(key, async (ai) => {
      for await (const job of await ai.batches.list({ config: { pageSize: 100 } })) {
        if (job.displayName === displayName && job.name) return statusOf(job);
      }
      return null;
    });
  }

  /** An ended job's results: its inline answers (in request order), or the lines of its results file. */
  results(
    key: UpstreamCredential,
    job: BatchModeJobStatus,
    keys: readonly string[],
  ): Promise<BatchModeResult[]> {
    return this.call(key, async (ai) => {
      const inline = job.dest?.inlinedResponses;
      if (inline) {
        return inline.map((answer, index) => ({
          key: answer.metadata?.['key'] ?? keys[index],
          response: answer.response ? plain(answer.response) : undefined,
          error: answer.error,
        }));
      }
      const fileName = job.dest?.fileName;
      if (!fileName) return [];
      const path = join(tmpdir(), `kf-batch-${randomUUID()}.jsonl`);
      try {
        await ai.files.download({ file: fileName, downloadPath: path });
        return (await readFile(path, 'utf8'))
          .split('\n')
          .filter((line) => line.trim() !== '')
          .map((line) => JSON.parse(line) as BatchModeResult);
      } finally {
        await rm(path, { force: true });
      }
    });
  }

  onModuleDestroy(): void {
    this.upstream.close();
  }

  private async call<T>(key: UpstreamCredential, work: (ai: GoogleGenAI) => Promise<T>): Promise<T> {
    try {
      return await work(this.clientFor(key.secret));
    } catch (error) {
      if (error instanceof UpstreamError) throw error;
      throw new UpstreamError(classifyUpstreamError(error), { cause: error });
    }
  }

  private clientFor(secret: string): GoogleGenAI {
    return createGenAi({
      secret,
      baseUrl: this.config.geminiBaseUrl,
      timeoutMs: BATCH_TIMEOUT_MS,
      fetch: (input, init) => this.upstream.fetch(input, init),
    });
  }
}

/** A REST request as the SDK's InlinedRequest, the key kept in its metadata. */
function inlined(model: string, entry: BatchModeRequest): InlinedRequest {
  const params = toSdkParameters(model, entry.request);
  return { contents: params.contents, config: params.config, metadata: { key: entry.key } };
}

function statusOf(job: BatchJob): BatchModeJobStatus {
  if (!job.name) throw new Error('Batch Mode answered a job without a name');
  return {
    name: job.name,
    state: job.state ?? 'JOB_STATE_UNSPECIFIED',
    displayName: job.displayName,
    dest: job.dest,
  };
}

/** The SDK's response object as plain JSON fields (its getters live on the prototype). */
function plain(response: object): Record<string, unknown> {
  const { sdkHttpResponse: _dropped, ...fields } = response as Record<string, unknown>;
  return fields;
}
