import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../config/app-config.js';
import { decodeCursor, DEFAULT_PAGE_SIZE, type Page, type PageQuery, toPage } from '../common/pagination.js';
import { SegmentRepository } from '../segments/segment.repository.js';
import { TemplateRepository } from '../templates/template.repository.js';
import type { CreateSequenceDto, SequenceDto, UpdateSequenceDto } from './sequence.dto.js';
import { type SequenceInput, SequenceRepository, type SequenceRow } from './sequence.repository.js';
import { SequenceErrorCode, SequenceException } from './sequence.exception.js';
import { SchedulerWakeup } from '../wakeup/scheduler-wakeup.js';
import { stepJourneyProblems } from './step-rules.js';

export const DEFAULT_MAX_LATENESS_HOURS = 48;

/** The tracking a sequence's emails get: its own choice, field by field, else the server's default. */
export function trackingOf(
  row: Pick<SequenceRow, 'track_opens' | 'track_clicks'>,
  defaults: { opens: boolean; clicks: boolean },
): { opens: boolean; clicks: boolean } {
  return { opens: row.track_opens ?? defaults.opens, clicks: row.track_clicks ?? defaults.clicks };
}

export function toSequenceDto(row: SequenceRow, defaults: { opens: boolean; clicks: boolean }): SequenceDto {
  return {
    key: row.key,
    name: row.name,
    status: row.status,
    pausedReason: row.paused_reason,
    triggerEvent: row.trigger_event,
    conversionEvent: row.conversion_event,
    audienceSegment: row.audience_segment_key,
    sendWindow: row.send_window,
    timezone: row.default_timezone,
    tracking: trackingOf(row, defaults),
    reentry: row.reentry,
    reentryCooldownDays: row.reentry_cooldown_days,
    transactional: row.transactional,
    holdoutPercent: row.holdout_percent,
    conversionWindowDays: row.conversion_window_days,
    version: row.version,
    steps: row.steps.map((step) => ({
      key: step.key,
      position: step.position,
      dayOffset: step.day_offset,
      ...(step.at_time ? { at: step.at_time } : {}),
      template: step.template_key,
      ...(step.variants
        ? {
            variants: step.variants.map((variant) => ({
              key: variant.key,
              template: variant.template_key,
              weight: variant.weight,
            })),
          }
        : {}),
      ...(step.experiment ? { experiment: step.experiment } : {}),
      winner: step.winner,
      ...(step.segment_key ? { segment: step.segment_key } : {}),
      maxLatenessHours: step.max_lateness_hours,
    })),
    createdAt: new Date(row.created_at).toISOString(),
    updatedAt: new Date(row.updated_at).toISOString(),
  };
}

/** Legal lifecycle moves: draft → active ⇄ paused → archived (archive from any live state). */
const TRANSITIONS = {
  activate: { from: ['draft', 'paused'], to: 'active' },
  pause: { from: ['active'], to: 'paused' },
  archive: { from: ['draft', 'active', 'paused'], to: 'archived' },
} as const;
export type SequenceAction = keyof typeof TRANSITIONS;

@Injectable()
export class SequenceService {
  constructor(
    private readonly sequences: SequenceRepository,
    private readonly templates: TemplateRepository,
    private readonly segments: SegmentRepository,
    private readonly wakeup: SchedulerWakeup,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  private toDto(row: SequenceRow): SequenceDto {
    return toSequenceDto(row, this.config.mail.tracking);
  }

  async create(dto: CreateSequenceDto): Promise<SequenceDto> {
    const input = await this.resolve(dto);
    const row = await this.sequences.insert(dto.key, input);
    if (!row) throw new SequenceException(SequenceErrorCode.KEY_TAKEN, `sequence ${dto.key} already exists`);
    return this.toDto(row);
  }

  async update(key: string, dto: UpdateSequenceDto): Promise<SequenceDto> {
    const existing = await this.require(key);
    if (existing.status === 'archived')
      throw new SequenceException(SequenceErrorCode.ARCHIVED, `sequence ${key} is archived and cannot change`);
    const row = await this.sequences.update(key, await this.resolve(dto));
    if (!row) throw new SequenceException(SequenceErrorCode.NOT_FOUND, `sequence ${key} not found`);
    return this.toDto(row);
  }

  async get(key: string): Promise<SequenceDto> {
    return this.toDto(await this.require(key));
  }

  async list(query: PageQuery): Promise<Page<SequenceDto>> {
    const limit = query.limit ?? DEFAULT_PAGE_SIZE;
    const rows = await this.sequences.findPage(limit, decodeCursor(query.cursor, 1)?.[0]);
    return toPage(
      rows,
      limit,
      (row) => this.toDto(row),
      (row) => [row.key],
    );
  }

  async transition(key: string, action: SequenceAction): Promise<SequenceDto> {
    const { from, to } = TRANSITIONS[action];
    const moved =
      action === 'archive'
        ? await this.sequences.archive(key, [...from])
        : await this.sequences.transition(key, [...from], to);
    if (!moved) {
      const current = await this.require(key);
      throw new SequenceException(
        SequenceErrorCode.ILLEGAL_STATE_CHANGE,
        `cannot ${action} sequence ${key}: it is ${current.status}`,
      );
    }
    // A resumed sequence's enrollments are due at once (under the overdue policy): the schedulers need not
    // wait for their interval.
    if (action === 'activate') this.wakeup.notify();
    return this.get(key);
  }

  async require(key: string): Promise<SequenceRow> {
    const row = await this.sequences.findByKey(key);
    if (!row) throw new SequenceException(SequenceErrorCode.NOT_FOUND, `sequence ${key} not found`);
    return row;
  }

  /** Checks what validation decorators cannot (order, uniqueness, references) and resolves keys to ids. */
  private async resolve(dto: UpdateSequenceDto): Promise<SequenceInput> {
    const problems: string[] = [];
    const seen = new Map<string, number>();
    dto.steps.forEach((step, index) => {
      const earlier = seen.get(step.key);
      if (earlier !== undefined) problems.push(`steps.${index}.key ${step.key} repeats steps.${earlier}.key`);
      seen.set(step.key, index);
      problems.push(...stepJourneyProblems(step, index));
      if (index > 0 && step.dayOffset < dto.steps[index - 1].dayOffset) {
        problems.push(
          `steps must be ordered by dayOffset: steps.${index}.dayOffset (${step.dayOffset}) is before steps.${index - 1}.dayOffset (${dto.steps[index - 1].dayOffset})`,
        );
      }
    });
    if (dto.sendWindow && dto.sendWindow.from === dto.sendWindow.to) {
      problems.push('sendWindow.from and sendWindow.to must differ');
    }
    if (dto.triggerEvent && dto.triggerEvent === dto.conversionEvent) {
      problems.push('conversionEvent must differ from triggerEvent');
    }

    const templateKeys = [
      ...new Set(dto.steps.flatMap((step) => [step.template, ...(step.variants ?? []).map((v) => v.template)])),
    ].filter((key): key is string => !!key);
    const segmentKeys = [
      ...new Set([...dto.steps.map((step) => step.segment), dto.audienceSegment].filter((key): key is string => !!key)),
    ];
    const [templates, segments] = await Promise.all([
      this.templates.findIdsByKeys(templateKeys),
      this.segments.findByKeys(segmentKeys),
    ]);
    const templateIds = new Map(templates.map((row) => [row.key, row.id]));
    const segmentIds = new Map(segments.map((row) => [row.key, row.id]));
    dto.steps.forEach((step, index) => {
      if (step.template && !templateIds.has(step.template))
        problems.push(`steps.${index}.template: unknown template "${step.template}"`);
      step.variants?.forEach((variant, at) => {
        if (!templateIds.has(variant.template))
          problems.push(`steps.${index}.variants.${at}.template: unknown template "${variant.template}"`);
      });
      if (step.segment && !segmentIds.has(step.segment)) {
        problems.push(`steps.${index}.segment: unknown segment "${step.segment}"`);
      }
    });
    if (dto.audienceSegment && !segmentIds.has(dto.audienceSegment)) {
      problems.push(`audienceSegment: unknown segment "${dto.audienceSegment}"`);
    }
    if (problems.length > 0) throw new SequenceException(SequenceErrorCode.STEPS_INVALID, problems);

    return {
      name: dto.name,
      triggerEvent: dto.triggerEvent ?? null,
      conversionEvent: dto.conversionEvent ?? null,
      audienceSegmentId: dto.audienceSegment ? segmentIds.get(dto.audienceSegment)! : null,
      sendWindow: dto.sendWindow
        ? {
            from: dto.sendWindow.from,
            to: dto.sendWindow.to,
            ...(dto.sendWindow.days ? { days: dto.sendWindow.days } : {}),
          }
        : null,
      timezone: dto.timezone ?? null,
      tracking: { opens: dto.tracking?.opens ?? null, clicks: dto.tracking?.clicks ?? null },
      reentry: dto.reentry ?? 'after-completion',
      reentryCooldownDays: dto.reentryCooldownDays ?? null,
      transactional: dto.transactional ?? false,
      holdoutPercent: dto.holdoutPercent ?? 0,
      conversionWindowDays: dto.conversionWindowDays ?? 0,
      steps: dto.steps.map((step) => ({
        key: step.key,
        dayOffset: step.dayOffset,
        at: step.at ?? null,
        templateId: templateIds.get(step.template ?? step.variants![0].template)!,
        variants: step.variants
          ? step.variants.map((v) => ({ key: v.key, templateId: templateIds.get(v.template)!, weight: v.weight }))
          : null,
        experiment: step.experiment
          ? {
              metric: step.experiment.metric,
              minPerVariant: step.experiment.minPerVariant,
              probabilityToBeat: step.experiment.probabilityToBeat,
            }
          : null,
        segmentId: step.segment ? segmentIds.get(step.segment)! : null,
        maxLatenessHours: step.maxLatenessHours ?? DEFAULT_MAX_LATENESS_HOURS,
      })),
    };
  }
}
