import { Readable } from 'node:stream';
import {
  Controller,
  Get,
  Headers,
  HttpCode,
  Param,
  Post,
  Query,
  Req,
  StreamableFile,
  UseGuards,
} from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import type { Request } from 'express';
import { z } from 'zod';
import { KeyfleetError } from '@keyfleet/errors';
import { BatchesService, type BatchPage, type BatchView } from '@keyfleet/batches';
import type { AuthenticatedClient } from '@keyfleet/registry';
import { ClientAuthGuard } from '../auth/client-auth.guard';
import { CurrentClient } from '../auth/current-client.decorator';
import { BatchEta } from './batch-eta';
import { BatchSubmissions, type SubmissionQuery } from './batch-submissions';
import { ApiRoute } from '../openapi/route-doc';
import { idParam } from '../openapi/schemas/common';
import {
  batchListQuery,
  batchPage,
  batchSubmission,
  batchView,
  ndjsonSubmissionQuery,
  resultLine,
  submissionHeaders,
} from '../openapi/schemas/batches';

/** The client batch API (DESIGN.md "API contract"). A client only ever sees its own batches. */
@ApiTags('client')
@ApiBearerAuth()
@Controller('v1/batches')
@UseGuards(ClientAuthGuard)
export class BatchesController {
  constructor(
    private readonly batches: BatchesService,
    private readonly submissions: BatchSubmissions,
    private readonly eta: BatchEta,
  ) {}

  /** JSON `{model, displayName?, requests}` or NDJSON (`?model=&displayName=`); 202 with the batch. */
  @Post()
  @HttpCode(202)
  @ApiRoute({
    summary: 'Submit a batch: JSON, or NDJSON (one {key, request} a line, the model in the query)',
    description:
      'A bad entry is named `requests[16].key: …` (JSON) or `line 17: …` (NDJSON); nothing is stored then. ' +
      'An unknown top-level field is refused and named.',
    auth: 'client',
    query: ndjsonSubmissionQuery,
    headers: submissionHeaders,
    body: {
      'application/json': batchSubmission,
      'application/x-ndjson': z.string().meta({ description: 'One `{"key", "request"}` object a line' }),
    },
    responses: { 202: batchView },
    errors: [400, 413],
  })
  async create(
    @CurrentClient() client: AuthenticatedClient,
    @Req() request: Request,
    @Query() query: SubmissionQuery,
    @Headers('idempotency-key') idempotencyKey?: string,
  ): Promise<BatchView> {
    const parsed = await this.submissions.parse(request, query, client);
    return (await this.batches.create(client.clientId, parsed, idempotencyKey)).batch;
  }

  @Get()
  @ApiRoute({
    summary: "This client's batches, newest first",
    auth: 'client',
    query: batchListQuery,
    responses: { 200: batchPage },
    errors: [400],
  })
  list(
    @CurrentClient() client: AuthenticatedClient,
    @Query('pageSize') pageSize?: string,
    @Query('pageToken') pageToken?: string,
  ): Promise<BatchPage> {
    return this.batches.list(client.clientId, {
      pageSize: parsePageSize(pageSize),
      pageToken: pageToken || undefined,
    });
  }

  @Get(':id')
  @ApiRoute({
    summary: 'A batch: status, counts and ETA',
    auth: 'client',
    params: idParam,
    responses: { 200: batchView },
    errors: [404],
  })
  async get(@CurrentClient() client: AuthenticatedClient, @Param('id') id: string): Promise<BatchView> {
    return this.eta.withEta(await this.batches.get(client.clientId, id));
  }

  /** NDJSON, one line per finished item in line order, streamed page by page. */
  @Get(':id/results')
  @ApiRoute({
    summary: 'The results so far, as NDJSON in submission order (streamed)',
    auth: 'client',
    params: idParam,
    responses: { 200: { content: { 'application/x-ndjson': resultLine } } },
    errors: [404],
  })
  async results(
    @CurrentClient() client: AuthenticatedClient,
    @Param('id') id: string,
  ): Promise<StreamableFile> {
    const lines = await this.batches.results(client.clientId, id);
    return new StreamableFile(Readable.from(lines), { type: 'application/x-ndjson' });
  }

  @Post(':id/cancel')
  @HttpCode(200)
  @ApiRoute({
    summary: 'Cancel the pending items (running ones finish)',
    auth: 'client',
    params: idParam,
    responses: { 200: batchView },
    errors: [404],
  })
  cancel(@CurrentClient() client: AuthenticatedClient, @Param('id') id: string): Promise<BatchView> {
    return this.batches.cancel(client.clientId, id);
  }
}

function parsePageSize(value: string | undefined): number | undefined {
  if (value === undefined || value === '') return undefined;
  const size = Number(value);
  if (!Number.isInteger(size)) throw KeyfleetError.invalid('pageSize: must be an integer');
  return size;
}
