import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Controller, Get, Header, NotFoundException, Param, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Response } from 'express';
import { StudioFiles } from './studio-files.js';

/** Vite builds the studio (studio/) into `dist/studio-app` at the project root, two levels above this file. */
const STUDIO_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../dist/studio-app');

/**
 * The marketer's studio at `/`: a static page, holding no data and needing no key to load;
 * everything it shows comes from the admin API with the key the user signs in with. Its CSP allows only our own
 * scripts and styles (Vite's output has no inline script), so data that slipped into the page as markup could not
 * run. Assets have content-hashed names: cached for good; the page is never cached, so a new build shows at once.
 */
@ApiExcludeController()
@Controller()
export class StudioController {
  private readonly files = new StudioFiles(STUDIO_DIR);

  @Get()
  @Header('Content-Type', 'text/html; charset=utf-8')
  @Header(
    'Content-Security-Policy',
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; " +
      "frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
  )
  @Header('X-Frame-Options', 'DENY')
  @Header('Cache-Control', 'no-store')
  page(@Res({ passthrough: true }) response: Response): string {
    if (this.files.index === null) {
      response.status(503).type('text/plain');
      return 'The studio is not built: run `npm run build` (it builds the server and the studio), then restart.\n';
    }
    return this.files.index;
  }

  @Get('studio/assets/:name')
  @Header('Cache-Control', 'public, max-age=31536000, immutable')
  @Header('X-Content-Type-Options', 'nosniff')
  asset(@Param('name') name: string, @Res() response: Response): void {
    const asset = this.files.asset(name);
    if (!asset) throw new NotFoundException();
    response.type(asset.type).send(asset.body);
  }
}
