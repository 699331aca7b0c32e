import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../config/app-config.js';
import { ReturnPath } from '../returns/return-path.js';
import type { TemplateRow } from '../templates/template.repository.js';
import { TemplateService } from '../templates/template.service.js';
import { isWebLink, rewriteAnchorLinks } from '../templates/html-links.js';
import { eventVariables, type TemplateEvent } from '../templates/template-renderer.js';
import { chooseVariant } from '../templates/template-variant.js';
import { fitsClickToken, TokenService } from '../tracking/token.service.js';
import type { OutgoingMessage } from './mail-transport.js';

export interface ComposeInput {
  deliveryId: string;
  contact: {
    email: string;
    firstName: string | null;
    lastName: string | null;
    locale: string | null;
    timezone: string;
    attributes: Record<string, unknown>;
  };
  sequenceName: string;
  step: { key: string; dayOffset: number };
  /** The event that started the enrollment (null: a marketer or a segment enrolled the contact). */
  event: TemplateEvent | null;
  enrollment: { startAt: Date };
  template: TemplateRow;
  now: Date;
  /** The sequence's tracking in effect (its own choice or the server's default). */
  tracking: { opens: boolean; clicks: boolean };
}

function addressDomain(mailFrom: string, publicUrl: string): string {
  const match = /@([A-Za-z0-9.-]+)>?\s*$/.exec(mailFrom);
  return match ? match[1] : new URL(publicUrl).hostname;
}

/**
 * Turns a due step into an email: the contact's variant rendered, links rewritten to signed click URLs,
 * an open pixel, one-click unsubscribe headers (RFC 8058), and a Message-ID derived from the delivery id,
 * so every attempt of one step carries the same id and receivers can deduplicate.
 */
@Injectable()
export class MessageComposer {
  private readonly domain: string;

  constructor(
    private readonly templates: TemplateService,
    private readonly tokens: TokenService,
    private readonly returnPath: ReturnPath,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    this.domain = addressDomain(config.mailFrom, config.publicUrl);
  }

  compose(input: ComposeInput): { message: OutgoingMessage; locale: string } {
    const base = this.config.publicUrl;
    const unsubscribeUrl = `${base}/u/${this.tokens.sign({ k: 'u', d: input.deliveryId })}`;
    const variant = chooseVariant(input.template.variants, input.contact.locale);
    const rendered = this.templates.compiledVariant(input.template, variant).render({
      contact: {
        firstName: input.contact.firstName,
        lastName: input.contact.lastName,
        email: input.contact.email,
        locale: input.contact.locale,
        attributes: input.contact.attributes,
      },
      sequence: { name: input.sequenceName },
      step: { dayOffset: input.step.dayOffset, key: input.step.key },
      unsubscribeUrl,
      locale: variant.locale,
      timezone: input.contact.timezone,
      event: eventVariables(input.event),
      enrollment: { startAt: input.enrollment.startAt.toISOString() },
      now: input.now,
    });
    const html = this.track(rendered.html, input.deliveryId, unsubscribeUrl, input.tracking);
    const name = [input.contact.firstName, input.contact.lastName].filter(Boolean).join(' ');
    return {
      locale: variant.locale,
      message: {
        from: this.config.mailFrom,
        to: name ? { name, address: input.contact.email } : input.contact.email,
        subject: rendered.subject,
        html,
        text: rendered.text,
        messageId: `<${input.deliveryId}@${this.domain}>`,
        // The envelope sender (MAIL FROM), not the From header: where returned mail for this delivery goes.
        ...(this.returnPath.enabled
          ? { envelope: { from: this.returnPath.address(input.deliveryId), to: input.contact.email } }
          : {}),
        headers: {
          'List-Unsubscribe': `<${unsubscribeUrl}>`,
          'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click',
        },
      },
    };
  }

  /**
   * Every http(s) link a reader can click becomes a signed click URL carrying exactly the URL the reader
   * sees (entities decoded: a variable's `=` arrives as `&#x3D;`). The unsubscribe link stays as it is, and
   * so does a link too long for a token: a variable can make one at send time, and an untracked link that
   * works is better than a tracked one that cannot (a template's own long links are refused when saved).
   */
  private track(
    html: string,
    deliveryId: string,
    unsubscribeUrl: string,
    tracking: { opens: boolean; clicks: boolean },
  ): string {
    const base = this.config.publicUrl;
    const linked = !tracking.clicks
      ? html
      : rewriteAnchorLinks(html, (url) =>
          !isWebLink(url) || url === unsubscribeUrl || !fitsClickToken(url)
            ? undefined
            : `${base}/t/c/${this.tokens.sign({ k: 'c', d: deliveryId, u: url })}`,
        );
    if (!tracking.opens) return linked;
    const pixel = `<img src="${base}/t/o/${this.tokens.sign({ k: 'o', d: deliveryId })}" width="1" height="1" alt="" style="display:block;border:0;width:1px;height:1px;" />`;
    return /<\/body>/i.test(linked) ? linked.replace(/<\/body>/i, `${pixel}</body>`) : `${linked}${pixel}`;
  }
}
