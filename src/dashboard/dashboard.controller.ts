import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Controller, Get, Header, NotFoundException, Param, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Response } from 'express';

/** The dashboard's files live in `public/dashboard` at the project root (two levels above this file). */
const DASHBOARD_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../public/dashboard');
const ASSETS: Record<string, string> = { 'dashboard.js': 'text/javascript', 'dashboard.css': 'text/css' };

/**
 * A static page: it holds no data and needs no key to load; everything it shows comes from the admin API,
 * called with the key the user signs in with. The CSP allows only our own scripts, so data that slipped
 * into the page as markup could not run.
 */
@ApiExcludeController()
@Controller('dashboard')
export class DashboardController {
  private readonly files = new Map(
    ['index.html', ...Object.keys(ASSETS)].map((name) => [name, readFileSync(path.join(DASHBOARD_DIR, name), 'utf8')]),
  );

  @Get()
  @Header('Content-Type', 'text/html; charset=utf-8')
  @Header(
    'Content-Security-Policy',
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; frame-ancestors 'none'",
  )
  @Header('X-Frame-Options', 'DENY')
  @Header('Cache-Control', 'no-store')
  page(): string {
    return this.files.get('index.html')!;
  }

  @Get('assets/:name')
  @Header('Cache-Control', 'no-cache')
  @Header('X-Content-Type-Options', 'nosniff')
  asset(@Param('name') name: string, @Res() response: Response): void {
    const type = ASSETS[name];
    if (!type) throw new NotFoundException();
    response.type(type).send(this.files.get(name));
  }
}
