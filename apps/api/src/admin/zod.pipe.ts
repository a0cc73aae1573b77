import type { PipeTransform } from '@nestjs/common';
import type { z } from 'zod';
import { parseOrThrow } from '@keyfleet/registry';

/** Validates a body, query or path parameter; a bad one is 400 INVALID_ARGUMENT naming the field. */
export class ZodPipe<S extends z.ZodType> implements PipeTransform<unknown, z.output<S>> {
  constructor(
    private readonly schema: S,
    /** Names a single path parameter in messages (`model: …`). */
    private readonly root?: string,
  ) {}

  transform(value: unknown): z.output<S> {
    return parseOrThrow(this.schema, value, this.root);
  }
}
