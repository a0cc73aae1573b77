import { Injectable } from '@nestjs/common';
import type { AuthenticatedClient } from '@keyfleet/registry';
import type { ClassifiedUpstreamError } from '@keyfleet/upstream';
import type { EmbedPiece } from './embed-request';
import { InteractiveDispatcher, type CallOrigin } from './interactive-dispatcher';
import { UpstreamHttp } from './upstream-http';

/** Every piece's JSON answer in order, or the first failure (with Google's body, when it sent one). */
export type FanOutResult =
  | { kind: 'ok'; answers: unknown[] }
  | { kind: 'failed'; failure: ClassifiedUpstreamError; body: string | null };

/**
 * Sends each content of an embedding call as its own request, each admitted on its own. Google counts a
 * batchEmbedContents of N contents as N requests against RPM either way (reported by users who measured
 * it); one request per content lets each go wherever the pool has room, and the answers are put back in
 * order. A failed piece fails the call, as Google fails a whole batch; pieces already answered stay paid.
 */
@Injectable()
export class EmbeddingFanOut {
  constructor(
    private readonly dispatcher: InteractiveDispatcher,
    private readonly http: UpstreamHttp,
  ) {}

  async send(
    client: AuthenticatedClient,
    model: string,
    path: string,
    pieces: EmbedPiece[],
    signal: AbortSignal,
    origin: CallOrigin,
  ): Promise<FanOutResult> {
    const results = await Promise.all(
      pieces.map((piece) => this.sendOne(client, model, path, piece, signal, origin)),
    );
    const failed = results.find((result) => result.kind === 'failed');
    if (failed) return failed;
    return { kind: 'ok', answers: results.map((result) => (result.kind === 'ok' ? result.answer : null)) };
  }

  private async sendOne(
    client: AuthenticatedClient,
    model: string,
    path: string,
    piece: EmbedPiece,
    signal: AbortSignal,
    origin: CallOrigin,
  ): Promise<{ kind: 'ok'; answer: unknown } | Extract<FanOutResult, { kind: 'failed' }>> {
    const result = await this.dispatcher.dispatch({
      client,
      model,
      estimate: piece.estimate,
      signal,
      send: (key, sendBy) => this.http.send({ method: 'POST', path, key, body: piece.body, signal, sendBy }),
    });
    if (result.kind === 'failed') return result;
    const text = await result.answer.text();
    result.answer.done();
    const answer = JSON.parse(text) as { usage?: { prompt_tokens?: unknown } };
    // Native embedding answers carry no usageMetadata (the estimate stands); OpenAI's say their tokens.
    const promptTokens = answer.usage?.prompt_tokens;
    const usage = typeof promptTokens === 'number' ? { promptTokens, outputTokens: 0 } : null;
    this.dispatcher.settle(result.slot, usage, origin, result.answer.serviceTier);
    return { kind: 'ok', answer };
  }
}
