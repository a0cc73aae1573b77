import { setTimeout as sleep } from 'node:timers/promises';
import { Inject, Injectable } from '@nestjs/common';
import { KEYFLEET_CONFIG, type KeyfleetConfig } from '@keyfleet/config';

/** A new key that never answered its proof call within the proof window. Never holds the key. */
export class KeyProofError extends Error {
  override readonly name = 'KeyProofError';
}

// Between proof calls: a new auth key may answer 401 for a short while after creation.
const BACKOFF_MS = [250, 500, 1000, 2000, 4000];
const CALL_TIMEOUT_MS = 10_000;

/**
 * Proves that a new key works before it serves: `models.list` (a GET on the models route, one
 * model), which uses no generation quota. Retried with backoff within KF_KEY_PROOF_SECONDS.
 */
@Injectable()
export class KeyProof {
  constructor(@Inject(KEYFLEET_CONFIG) private readonly config: KeyfleetConfig) {}

  async prove(keyString: string): Promise<{ calls: number }> {
    const deadline = Date.now() + this.config.rotation.proofSeconds * 1000;
    let lastAnswer = 'no answer';
    for (let call = 1; ; call++) {
      const answer = await this.call(keyString);
      if (answer === 'ok') return { calls: call };
      lastAnswer = answer;
      const delay = BACKOFF_MS[Math.min(call - 1, BACKOFF_MS.length - 1)];
      if (Date.now() + delay > deadline) {
        throw new KeyProofError(
          `new key …${keyString.slice(-4)} not accepted after ${call} call(s) in ${this.config.rotation.proofSeconds} s (last: ${lastAnswer})`,
        );
      }
      await sleep(delay);
    }
  }

  /** 'ok', or what went wrong (status and Google's status name, or the network error). */
  private async call(keyString: string): Promise<string> {
    try {
      const response = await fetch(`${this.config.geminiBaseUrl}/v1beta/models?pageSize=1`, {
        headers: { 'x-goog-api-key': keyString },
        signal: AbortSignal.timeout(CALL_TIMEOUT_MS),
      });
      const text = await response.text();
      if (response.ok) return 'ok';
      return `${response.status} ${statusName(text)}`.trim();
    } catch (error) {
      return `unreachable: ${(error as Error).message}`.slice(0, 100);
    }
  }
}

function statusName(body: string): string {
  try {
    const parsed = JSON.parse(body) as { error?: { status?: unknown } };
    return typeof parsed.error?.status === 'string' ? parsed.error.status : '';
  } catch {
    return '';
  }
}
