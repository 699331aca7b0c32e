import { Inject, Injectable } from '@nestjs/common';
import Handlebars from 'handlebars';
import { decodeCursor, DEFAULT_PAGE_SIZE, type Page, type PageQuery, toPage } from '../common/pagination.js';
import { Clock } from '../common/clock.js';
import { canonicalLocale } from '../common/validators.js';
import { APP_CONFIG, type AppConfig } from '../config/app-config.js';
import { ContactRepository } from '../contacts/contact.repository.js';
import type {
  CreateTemplateDto,
  PreviewDraftDto,
  PreviewResultDto,
  PreviewTemplateDto,
  TemplateDto,
  TemplateVariantDto,
  UpdateTemplateDto,
} from './template.dto.js';
import { MAX_TRACKED_URL_BYTES, fitsClickToken } from '../tracking/token.service.js';
import { CompiledTemplateCache } from './compiled-template-cache.js';
import { findAnchorLinks, isWebLink } from './html-links.js';
import { RenderBudgetError } from './render-budget.js';
import {
  type CompiledVariant,
  eventVariables,
  type RenderContext,
  TemplateCompileError,
  TemplateRenderer,
} from './template-renderer.js';
import { TemplateRepository, type TemplateRow, type VariantRow } from './template.repository.js';
import { chooseVariant } from './template-variant.js';
import { ContactErrorCode, ContactException } from '../contacts/contact.exception.js';
import { TemplateErrorCode, TemplateException } from './template.exception.js';

function toTemplateDto(row: TemplateRow): TemplateDto {
  return {
    key: row.key,
    name: row.name,
    version: row.version,
    variants: row.variants.map((variant) => ({
      locale: variant.locale,
      subject: variant.subject,
      html: variant.html,
      ...(variant.text === null ? {} : { text: variant.text }),
    })),
    createdAt: new Date(row.created_at).toISOString(),
    updatedAt: new Date(row.updated_at).toISOString(),
  };
}

/** The name a preview's event has when the body gives properties only. */
const SAMPLE_EVENT_NAME = 'sample_event';

const SAMPLE_CONTACT = {
  firstName: 'Alex',
  lastName: 'Sample',
  email: 'alex@example.com',
  locale: null,
  attributes: {},
};

/**
 * Links the template itself writes (literally or through a partial) that no click token can carry: a
 * tracked link longer than that would be dead. Links that only a contact's data makes long are left
 * untracked at send time instead (MessageComposer).
 */
function longLinks(html: string, field: string): string[] {
  return findAnchorLinks(html)
    .filter((link) => isWebLink(link.url) && !fitsClickToken(link.url))
    .map(
      (link) =>
        `${field}: the link ${link.url.slice(0, 60)}… is ${link.url.length.toLocaleString('en')} characters long; ` +
        `a tracked link can carry at most ${MAX_TRACKED_URL_BYTES.toLocaleString('en')} bytes`,
    );
}

@Injectable()
export class TemplateService {
  /** Compiled variants by template id, version and locale; a new version is a new key. */
  readonly compiled = new CompiledTemplateCache();

  constructor(
    private readonly templates: TemplateRepository,
    private readonly renderer: TemplateRenderer,
    private readonly contacts: ContactRepository,
    private readonly clock: Clock,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async create(dto: CreateTemplateDto): Promise<TemplateDto> {
    const { rows, compiled } = this.checkVariants(dto.variants);
    const row = await this.templates.insert(dto.key, dto.name, rows);
    if (!row) throw new TemplateException(TemplateErrorCode.KEY_TAKEN, `template ${dto.key} already exists`);
    this.keepCompiled(row, compiled);
    return toTemplateDto(row);
  }

  async update(key: string, dto: UpdateTemplateDto): Promise<TemplateDto> {
    const { rows, compiled } = this.checkVariants(dto.variants);
    const row = await this.templates.update(key, dto.name, rows);
    if (!row) throw new TemplateException(TemplateErrorCode.NOT_FOUND, `template ${key} not found`);
    this.keepCompiled(row, compiled);
    return toTemplateDto(row);
  }

  async get(key: string): Promise<TemplateDto> {
    return toTemplateDto(await this.require(key));
  }

  async list(query: PageQuery): Promise<Page<TemplateDto>> {
    const limit = query.limit ?? DEFAULT_PAGE_SIZE;
    const rows = await this.templates.findPage(limit, decodeCursor(query.cursor, 1)?.[0]);
    return toPage(rows, limit, toTemplateDto, (row) => [row.key]);
  }

  async preview(key: string, dto: PreviewTemplateDto): Promise<PreviewResultDto> {
    const template = await this.require(key);
    const target = await this.previewTarget(dto);
    const variant = chooseVariant(template.variants, target.locale);
    return this.renderPreview(
      this.compiledVariant(template, variant),
      template.variants.indexOf(variant),
      variant,
      target,
      dto,
    );
  }

  /**
   * A template being written, not saved: its variants checked as a save checks them (400 / 422 naming the field),
   * then rendered as a preview of the saved one would be. Nothing is stored or cached.
   */
  async previewDraft(dto: PreviewDraftDto): Promise<PreviewResultDto> {
    const { rows, compiled } = this.checkVariants(dto.variants);
    const target = await this.previewTarget(dto);
    const variant = chooseVariant(rows, target.locale);
    const index = rows.indexOf(variant);
    return this.renderPreview(compiled[index], index, variant, target, dto);
  }

  /** Whom a preview renders for: a stored contact, a sample one, or the built-in sample; and the locale to choose by. */
  private async previewTarget(
    dto: PreviewTemplateDto,
  ): Promise<{ contact: RenderContext['contact']; timezone?: string; locale: string | null }> {
    let contact: RenderContext['contact'] = SAMPLE_CONTACT;
    let timezone: string | undefined;
    if (dto.contactId) {
      const row = await this.contacts.findById(dto.contactId);
      if (!row) throw new ContactException(ContactErrorCode.NOT_FOUND, `contact ${dto.contactId} not found`);
      contact = {
        firstName: row.first_name,
        lastName: row.last_name,
        email: row.email,
        locale: row.locale,
        attributes: row.attributes,
      };
      timezone = row.timezone ?? undefined;
    } else if (dto.contact) {
      contact = {
        firstName: dto.contact.firstName ?? null,
        lastName: dto.contact.lastName ?? null,
        email: dto.contact.email ?? SAMPLE_CONTACT.email,
        locale: dto.contact.locale ?? null,
        attributes: dto.contact.attributes ?? {},
      };
      timezone = dto.contact.timezone;
    }
    return { contact, timezone, locale: dto.locale ?? contact.locale };
  }

  private renderPreview(
    compiled: CompiledVariant,
    index: number,
    variant: Pick<VariantRow, 'locale'>,
    target: { contact: RenderContext['contact']; timezone?: string },
    dto: PreviewTemplateDto,
  ): PreviewResultDto {
    const now = this.clock.now();
    try {
      const rendered = compiled.render({
        contact: target.contact,
        sequence: { name: 'Preview' },
        step: { dayOffset: 0, key: 'preview' },
        unsubscribeUrl: `${this.config.publicUrl}/u/preview`,
        locale: variant.locale,
        timezone: target.timezone,
        event: eventVariables(
          dto.event && { name: dto.event.name ?? SAMPLE_EVENT_NAME, properties: dto.event.properties ?? {} },
        ),
        enrollment: {
          startAt: dto.enrollment?.startAt ? new Date(dto.enrollment.startAt).toISOString() : now.toISOString(),
        },
        now,
      });
      return { ...rendered, locale: variant.locale };
    } catch (error) {
      // The template fails with this contact's data (as its send would): a template problem, not ours.
      if (error instanceof RenderBudgetError || error instanceof Handlebars.Exception) {
        throw new TemplateException(TemplateErrorCode.RENDER_FAILED, [
          `variants.${index}: ${error.message.split('\n')[0]}`,
        ]);
      }
      throw error;
    }
  }

  /** The compiled form of one variant, cached until the template's version changes. */
  compiledVariant(template: Pick<TemplateRow, 'id' | 'version'>, variant: VariantRow): CompiledVariant {
    return this.compiled.get(template.id, template.version, variant.locale, () => this.renderer.compile(variant));
  }

  async require(key: string): Promise<TemplateRow> {
    const row = await this.templates.findByKey(key);
    if (!row) throw new TemplateException(TemplateErrorCode.NOT_FOUND, `template ${key} not found`);
    return row;
  }

  /** What a save compiled serves the first sends and previews, and the template's older versions go. */
  private keepCompiled(row: TemplateRow, compiled: CompiledVariant[]): void {
    row.variants.forEach((variant, index) => {
      if (compiled[index]) this.compiled.put(row.id, row.version, variant.locale, compiled[index]);
    });
  }

  /**
   * Canonical, unique locales, every variant compiles and renders with a sample contact, and no link in it is
   * too long to be tracked — or the save is refused (400 / 422).
   */
  private checkVariants(variants: TemplateVariantDto[]): { rows: VariantRow[]; compiled: CompiledVariant[] } {
    const seen = new Map<string, number>();
    const duplicates: string[] = [];
    const rows = variants.map((variant, index) => {
      const locale = canonicalLocale(variant.locale) ?? variant.locale;
      const earlier = seen.get(locale.toLowerCase());
      if (earlier !== undefined) duplicates.push(`variants.${index}.locale ${locale} repeats variants.${earlier}`);
      seen.set(locale.toLowerCase(), index);
      return { locale, subject: variant.subject, html: variant.html, text: variant.text ?? null };
    });
    if (duplicates.length > 0) throw new TemplateException(TemplateErrorCode.LOCALE_REPEATED, duplicates);
    const problems: string[] = [];
    const compiled: CompiledVariant[] = [];
    rows.forEach((row, index) => {
      try {
        compiled[index] = this.renderer.compile(row, `variants.${index}.`);
        // A trial render catches what compiles but cannot run (e.g. a helper given the wrong arguments).
        const { html } = compiled[index].render({
          contact: SAMPLE_CONTACT,
          sequence: { name: 'Check' },
          step: { dayOffset: 0 },
          unsubscribeUrl: 'https://example.com/u/check',
          locale: row.locale,
        });
        problems.push(...longLinks(html, `variants.${index}.html`));
      } catch (error) {
        if (error instanceof TemplateCompileError) problems.push(...error.problems);
        else problems.push(`variants.${index}: ${(error as Error).message.split('\n')[0]}`);
      }
    });
    if (problems.length > 0) {
      throw new TemplateException(TemplateErrorCode.NOT_COMPILING, problems);
    }
    return { rows, compiled };
  }
}
