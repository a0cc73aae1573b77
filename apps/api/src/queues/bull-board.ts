import { Inject, Injectable } from '@nestjs/common';
import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { ExpressAdapter } from '@bull-board/express';
import type { NestExpressApplication } from '@nestjs/platform-express';
import type { NextFunction, Request, Response } from 'express';
import { KEYFLEET_CONFIG, type KeyfleetConfig } from '@keyfleet/config';
import { AdminToken } from '../auth/admin-token';
import { bearerToken } from '../auth/bearer-token';
import { QueueDiscovery } from './queue-discovery';

export const BULL_BOARD_PATH = '/admin/queues';

/**
 * Bull Board at /admin/queues, behind the admin token: `Authorization: Bearer <token>`, or HTTP Basic
 * with the token as password (what a browser sends after its login prompt; the token is never in a URL).
 * Shows every BullMQ queue of the deployment, found as it appears.
 */
@Injectable()
export class BullBoard {
  private readonly token: AdminToken;
  private readonly board;
  private readonly server = new ExpressAdapter();
  private shown = '';

  constructor(
    @Inject(KEYFLEET_CONFIG) config: KeyfleetConfig,
    private readonly discovery: QueueDiscovery,
  ) {
    this.token = new AdminToken(config.adminToken);
    this.server.setBasePath(BULL_BOARD_PATH);
    this.board = createBullBoard({
      queues: [],
      serverAdapter: this.server,
      options: { uiConfig: { boardTitle: 'keyfleet queues' } },
    });
  }

  mount(app: NestExpressApplication): void {
    app.use(BULL_BOARD_PATH, this.guard, this.refresh, this.server.getRouter());
  }

  private readonly guard = (request: Request, response: Response, next: NextFunction): void => {
    if (this.token.matches(bearerToken(request) ?? basicPassword(request))) return next();
    response.setHeader('www-authenticate', 'Basic realm="keyfleet admin", charset="UTF-8"');
    response.status(401).json({
      error: { code: 401, message: 'missing or invalid admin token', status: 'UNAUTHENTICATED' },
    });
  };

  // The board's page asks for its queue list (`api/queues`) every few seconds: the queues are looked for then.
  private readonly refresh = (request: Request, _response: Response, next: NextFunction): void => {
    if (!request.path.startsWith('/api/queues')) return next();
    this.discovery.discover().then(
      (queues) => {
        const names = queues.map((queue) => queue.name).join(',');
        if (names !== this.shown) this.board.replaceQueues(queues.map((queue) => new BullMQAdapter(queue)));
        this.shown = names;
        next();
      },
      (error: unknown) => next(error),
    );
  };
}

/** The password of `Authorization: Basic …` (any user name), or null. */
function basicPassword(request: Request): string | null {
  const match = /^Basic\s+(\S+)\s*$/i.exec(request.headers.authorization ?? '');
  if (!match) return null;
  const decoded = Buffer.from(match[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  return colon >= 0 ? decoded.slice(colon + 1) : null;
}
