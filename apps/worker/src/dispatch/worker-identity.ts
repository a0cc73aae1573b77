import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';

/** This worker process as its leases name it: a fresh id per start, and hostname:pid for operators. */
export class WorkerIdentity {
  readonly id = randomUUID();
  readonly name = `${hostname()}:${process.pid}`;
}
