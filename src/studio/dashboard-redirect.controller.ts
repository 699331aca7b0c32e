import { Controller, Get, Redirect } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';

/**
 * The read-only dashboard that used to live at `/dashboard` is retired: the studio at `/` shows all it did
 * (sequences with their counts, each calendar on a day axis, the funnel, the delivery log). Old bookmarks land on
 * the studio. 302, not 301: a browser keeps a 301 for good with no way to take it back, and the path may be given
 * another use; the cost is one request per visit. The browser keeps a bookmark's `#/sequences/<key>` fragment
 * across the redirect, and the studio has the same route.
 */
@ApiExcludeController()
@Controller()
export class DashboardRedirectController {
  @Get(['dashboard', 'dashboard/*rest'])
  @Redirect('/', 302)
  redirect(): void {}
}
