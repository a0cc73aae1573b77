import { join } from 'node:path';
import { Controller, Get, Header, NotFoundException, Param, Res, type Type } from '@nestjs/common';
import { ModulesContainer } from '@nestjs/core';
import { ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { getAbsoluteFSPath } from 'swagger-ui-dist';
import { z } from 'zod';
import { buildOpenApiDocument } from './openapi-document';
import { ApiRoute } from './route-doc';

// Swagger UI's own files, served from the swagger-ui-dist package (no CDN: nothing leaves the machine).
const SWAGGER_ASSETS = new Set(['swagger-ui.css', 'swagger-ui-bundle.js']);
const DOCS_PAGE = `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>keyfleet API</title><link rel="stylesheet" href="/docs/swagger-ui.css"></head>
<body><div id="ui"></div><script src="/docs/swagger-ui-bundle.js"></script><script src="/docs/init.js"></script></body>
</html>`;
const DOCS_INIT = `window.ui = SwaggerUIBundle({ url: '/openapi.json', dom_id: '#ui', deepLinking: true });`;

const openApiObject = z
  .object({ openapi: z.string(), paths: z.record(z.string(), z.unknown()) })
  .catchall(z.unknown());

/** The OpenAPI 3.1 document of every route of this app, and Swagger UI over it at /docs. */
@ApiTags('docs')
@Controller()
export class OpenApiController {
  private document: object | undefined;

  constructor(private readonly modules: ModulesContainer) {}

  @Get('openapi.json')
  @ApiRoute({ summary: 'This document (OpenAPI 3.1)', auth: 'none', responses: { 200: openApiObject } })
  openapi(): object {
    this.document ??= buildOpenApiDocument(this.controllers());
    return this.document;
  }

  @Get('docs')
  @Header('content-type', 'text/html; charset=utf-8')
  @ApiRoute({
    summary: 'Swagger UI over /openapi.json',
    auth: 'none',
    responses: { 200: { content: { 'text/html': z.string() } } },
  })
  docs(): string {
    return DOCS_PAGE;
  }

  @Get('docs/:asset')
  @ApiRoute({
    summary: "Swagger UI's scripts and styles",
    auth: 'none',
    params: z.object({ asset: z.string() }),
    responses: { 200: { content: { 'text/css': z.string(), 'text/javascript': z.string() } } },
    errors: [404],
  })
  asset(@Param('asset') asset: string, @Res() response: Response): void {
    if (asset === 'init.js') {
      response.type('text/javascript').send(DOCS_INIT);
      return;
    }
    if (!SWAGGER_ASSETS.has(asset)) throw new NotFoundException(`no such asset: ${asset.slice(0, 60)}`);
    response.sendFile(join(getAbsoluteFSPath(), asset), { maxAge: '1h' });
  }

  /** The controllers of the running app, however its modules were put together. */
  private controllers(): Type[] {
    return [...this.modules.values()].flatMap((module) =>
      [...module.controllers.values()].map((wrapper) => wrapper.metatype as Type),
    );
  }
}
