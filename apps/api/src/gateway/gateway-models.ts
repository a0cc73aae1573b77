import { Injectable, Logger } from '@nestjs/common';
import { KeyfleetError } from '@keyfleet/errors';
import { PoolService } from '@keyfleet/registry';
import type { GeminiApiVersion } from './api-version';
import { UnmeteredCalls } from './unmetered-calls';
import { UpstreamHttp } from './upstream-http';

type ModelInfo = Record<string, unknown> & { name: string };

// Google's model metadata changes rarely; the list of served models itself is read live from the pool.
const UPSTREAM_INFO_TTL_MS = 5 * 60_000;

/** The models the pool serves: Gemini's ListModels shape (with Google's metadata when it can be read) and OpenAI's. */
@Injectable()
export class GatewayModels {
  private readonly logger = new Logger(GatewayModels.name);
  private upstreamInfo: { readAt: number; byName: Map<string, ModelInfo> } | null = null;

  constructor(
    private readonly pool: PoolService,
    private readonly unmetered: UnmeteredCalls,
    private readonly http: UpstreamHttp,
  ) {}

  /** 404 in Google's words when no project of the pool serves the model. */
  async requireServed(model: string, method: string, version: GeminiApiVersion = 'v1beta'): Promise<void> {
    if ((await this.pool.poolFor(model)).length > 0) return;
    throw KeyfleetError.notFound(
      `models/${model} is not found for API version ${version}, or is not supported for ${method}. Call ListModels to see the list of available models and their supported methods.`,
    );
  }

  async isServed(model: string): Promise<boolean> {
    return (await this.pool.poolFor(model)).length > 0;
  }

  async geminiList(): Promise<{ models: ModelInfo[] }> {
    const served = await this.pool.servedModels();
    const info = await this.upstreamModels(served);
    return { models: served.map((model) => info.get(`models/${model}`) ?? minimalInfo(model)) };
  }

  async geminiModel(model: string, version: GeminiApiVersion = 'v1beta'): Promise<ModelInfo> {
    await this.requireServed(model, 'getModel', version);
    const info = await this.upstreamModels([model]);
    return info.get(`models/${model}`) ?? minimalInfo(model);
  }

  async openAiList(): Promise<{ object: 'list'; data: OpenAiModel[] }> {
    const served = await this.pool.servedModels();
    return { object: 'list', data: served.map(openAiModel) };
  }

  async openAiModel(model: string): Promise<OpenAiModel> {
    await this.requireServedOpenAi(model);
    return openAiModel(model);
  }

  /** 404 in OpenAI's words when no project of the pool serves the model. */
  async requireServedOpenAi(model: string): Promise<void> {
    if (!(await this.isServed(model)))
      throw KeyfleetError.notFound(`The model \`${model}\` does not exist or you do not have access to it.`);
  }

  private async upstreamModels(served: string[]): Promise<Map<string, ModelInfo>> {
    const cached = this.upstreamInfo;
    if (cached && Date.now() - cached.readAt < UPSTREAM_INFO_TTL_MS) return cached.byName;
    if (served.length === 0) return new Map();
    try {
      const outcome = await this.unmetered.dispatch(served[0], (key) =>
        this.http.send({ method: 'GET', path: '/v1beta/models?pageSize=1000', key }),
      );
      if (outcome.kind === 'failed') throw new Error(outcome.failure.message);
      const body = JSON.parse(await outcome.answer.text()) as { models?: ModelInfo[] };
      outcome.answer.done();
      const byName = new Map((body.models ?? []).map((info) => [info.name, info]));
      this.upstreamInfo = { readAt: Date.now(), byName };
      return byName;
    } catch (error) {
      // The list still answers: names are what the SDKs need; Google's metadata is a bonus.
      this.logger.warn(`reading Google's model list failed: ${(error as Error).message}`);
      return new Map();
    }
  }
}

interface OpenAiModel {
  id: string;
  object: 'model';
  created: number;
  owned_by: string;
}

function openAiModel(id: string): OpenAiModel {
  return { id, object: 'model', created: 0, owned_by: 'google' };
}

function minimalInfo(model: string): ModelInfo {
  return {
    name: `models/${model}`,
    displayName: model,
    supportedGenerationMethods: ['generateContent', 'countTokens'],
  };
}
