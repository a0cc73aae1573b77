import type { Response } from 'express';
import type { UpstreamAnswer } from './upstream-http';
import { UsageSniffer, type AnswerUsage } from './usage-sniffer';

/**
 * Relays an upstream 2xx answer to the client as its bytes arrive (SSE events are never buffered),
 * respecting the client's backpressure. Returns the usage read on the way, or null.
 * A client that goes away aborts the upstream call (see clientGone); what was sent so far stays sent.
 */
export async function relayAnswer(answer: UpstreamAnswer, res: Response): Promise<AnswerUsage | null> {
  const sniffer = new UsageSniffer();
  const contentType = answer.contentType ?? 'application/json';
  res.status(answer.status);
  res.setHeader('content-type', contentType);
  if (contentType.startsWith('text/event-stream')) {
    res.setHeader('cache-control', 'no-cache');
    res.setHeader('x-accel-buffering', 'no'); // tells nginx-style proxies not to buffer the stream
    res.flushHeaders();
  } else if (answer.contentLength !== null) {
    // Without it Node frames the answer in chunks and writes the closing one on a later turn of the event
    // loop: the client only sees the answer end when this process comes back to it, often milliseconds later.
    res.setHeader('content-length', answer.contentLength);
  }
  try {
    for await (const chunk of answer.body) {
      sniffer.push(chunk);
      if (res.destroyed) break;
      if (!res.write(chunk)) await drained(res);
    }
    res.end();
    return sniffer.usage();
  } catch {
    // Upstream broke off or the client left: end what we started, the estimate stands.
    res.destroy();
    return null;
  } finally {
    answer.done();
  }
}

function drained(res: Response): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      res.off('drain', done);
      res.off('close', done);
      resolve();
    };
    res.on('drain', done);
    res.on('close', done);
  });
}
