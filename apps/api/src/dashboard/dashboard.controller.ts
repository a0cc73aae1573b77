import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Controller, Get, NotFoundException, Param, Res } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { z } from 'zod';
import { ApiRoute } from '../openapi/route-doc';

// The page is three static files read once: no build step, nothing generated at runtime.
const ASSETS_DIR = join(__dirname, 'assets');
const ASSETS: Record<string, string> = {
  'index.html': 'text/html; charset=utf-8',
  'dashboard.js': 'text/javascript; charset=utf-8',
  'dashboard.css': 'text/css; charset=utf-8',
};
const files = new Map(Object.keys(ASSETS).map((name) => [name, readFileSync(join(ASSETS_DIR, name))]));

// Only this origin's scripts, styles and API; no inline code, no framing.
const CSP =
  "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:; " +
  "form-action 'none'; frame-ancestors 'none'; base-uri 'none'";

/**
 * The operators' page at /dashboard. The page itself holds no data: its script asks for the admin token,
 * keeps it in the tab's sessionStorage and reads the admin API with it (never in a URL).
 */
@ApiTags('dashboard')
@Controller('dashboard')
export class DashboardController {
  @Get()
  @ApiRoute({
    summary: 'The dashboard page (its data comes from the admin API, with the admin token)',
    auth: 'none',
    responses: { 200: { content: { 'text/html': z.string() } } },
  })
  page(@Res() response: Response): void {
    send(response, 'index.html');
  }

  @Get(':asset')
  @ApiRoute({
    summary: "The dashboard's script and styles",
    auth: 'none',
    params: z.object({ asset: z.enum(['dashboard.js', 'dashboard.css']) }),
    responses: { 200: { content: { 'text/javascript': z.string(), 'text/css': z.string() } } },
    errors: [404],
  })
  asset(@Param('asset') asset: string, @Res() response: Response): void {
    if (asset === 'index.html' || !files.has(asset))
      throw new NotFoundException(`no such file: ${asset.slice(0, 60)}`);
    send(response, asset);
  }
}

function send(response: Response, name: string): void {
  response
    .status(200)
    .set({
      'content-type': ASSETS[name],
      'content-security-policy': CSP,
      'x-content-type-options': 'nosniff',
      'referrer-policy': 'no-referrer',
      'cache-control': 'no-cache',
    })
    .send(files.get(name));
}
