import { createServer, IncomingMessage, ServerResponse } from 'node:http';
import type { NestApplicationOptions } from '@nestjs/common';
import { ExpressAdapter } from '@nestjs/platform-express';
import type { Express } from 'express';

/**
 * Nest's Express adapter, with a server that creates each request and response with Express' own
 * prototypes. Express sets them on every request (`Object.setPrototypeOf`); done on a live object, that
 * made V8 keep each request's objects through the next scavenge until a full collection: about a fifth of
 * what a gateway call allocates was promoted, and scavenges paused 6–10 ms instead of about 1 ms. Created
 * with them already, Express' call changes nothing. HTTPS and Nest's connection options keep Nest's server.
 */
export class KeyfleetExpressAdapter extends ExpressAdapter {
  override initHttpServer(options: NestApplicationOptions): void {
    if (options.httpsOptions || options.forceCloseConnections || options.return503OnClosing) {
      super.initHttpServer(options);
      return;
    }
    const app = this.getInstance<Express>();
    this.setHttpServer(createServer(withExpressPrototypes(app), app));
  }
}

/** Request and response constructors whose instances start with `app.request` / `app.response` as prototypes. */
export function withExpressPrototypes(app: Express): {
  IncomingMessage: typeof IncomingMessage;
  ServerResponse: typeof ServerResponse;
} {
  // Node's IncomingMessage and ServerResponse are plain constructor functions: they can initialise `this`.
  function ExpressRequest(this: IncomingMessage, ...args: unknown[]): void {
    Reflect.apply(IncomingMessage, this, args);
  }
  function ExpressResponse(this: ServerResponse, ...args: unknown[]): void {
    Reflect.apply(ServerResponse, this, args);
  }
  ExpressRequest.prototype = app.request;
  ExpressResponse.prototype = app.response;
  return {
    IncomingMessage: ExpressRequest as unknown as typeof IncomingMessage,
    ServerResponse: ExpressResponse as unknown as typeof ServerResponse,
  };
}
