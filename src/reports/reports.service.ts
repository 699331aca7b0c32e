import { Injectable } from '@nestjs/common';
import { decodeCursor, DEFAULT_PAGE_SIZE, type Page, toPage } from '../common/pagination.js';
import { type SqlFragment, sqlFragment } from '../database/sql.js';
import { compileRule, type Rule } from '../segments/segment-rule.js';
import { SegmentRepository } from '../segments/segment.repository.js';
import { SequenceService } from '../sequences/sequence.service.js';
import type {
  BiggestDropDto,
  ConversionDto,
  ConversionQuery,
  FunnelBreakdownDto,
  FunnelDto,
  FunnelQuery,
  FunnelStepDto,
  FunnelTotalsDto,
  FunnelVariantDto,
} from './reports.dto.js';
import { lift, rate } from './lift.js';
import {
  type FunnelStepRow,
  type FunnelTotalsRow,
  type FunnelVariantRow,
  ReportsRepository,
} from './reports.repository.js';

/**
 * A step's counts per variant: its current variants in their order (zeros for one not sent yet), then any variant
 * the delivery log still names that the step no longer has.
 */
function variantsOf(step: FunnelStepRow, rows: FunnelVariantRow[]): FunnelVariantDto[] {
  const keys = [...(step.variants ?? []).map((variant) => variant.key)];
  for (const row of rows) if (!keys.includes(row.variant)) keys.push(row.variant);
  return keys.map((key) => {
    const row = rows.find((candidate) => candidate.variant === key);
    return {
      key,
      sent: row?.sent ?? 0,
      opened: row?.opened ?? 0,
      clicked: row?.clicked ?? 0,
      convertedAfter: row?.converted_after ?? 0,
    };
  });
}

function toSteps(rows: FunnelStepRow[], variantRows?: FunnelVariantRow[]): FunnelStepDto[] {
  return rows.map((row) => ({
    key: row.key,
    position: row.position,
    dayOffset: row.day_offset,
    reached: row.reached,
    sent: row.sent,
    failed: row.failed,
    skipped: row.skipped,
    opened: row.opened,
    clicked: row.clicked,
    convertedAfter: row.converted_after,
    unsubscribedAfter: row.unsubscribed_after,
    droppedAfter: row.dropped_after,
    ...(variantRows && row.variants
      ? {
          variants: variantsOf(
            row,
            variantRows.filter((variant) => variant.step_id === row.id),
          ),
        }
      : {}),
  }));
}

/**
 * Totals count every enrollment, held out or not (as before holdouts existed: everyone enrolled); the holdout group
 * is broken out, and the lift compares the treated (enrolled − held out) with it.
 */
function toTotals(row: FunnelTotalsRow): FunnelTotalsDto {
  const { holdout_enrolled, holdout_converted, ...counts } = row;
  const heldOut = { enrolled: holdout_enrolled, converted: holdout_converted };
  const treated = { enrolled: row.enrolled - holdout_enrolled, converted: row.converted - holdout_converted };
  return {
    ...counts,
    conversionRate: rate(row),
    holdout: { ...heldOut, conversionRate: rate(heldOut) },
    lift: lift(treated, heldOut),
  };
}

/** The step after which most people were lost (unsubscribed, bounced or exited); the first such on a tie. */
export function biggestDrop(steps: FunnelStepDto[]): BiggestDropDto | null {
  let best: BiggestDropDto | null = null;
  for (const step of steps) {
    const lost = step.unsubscribedAfter + step.droppedAfter;
    if (lost > 0 && (!best || lost > best.lost)) best = { step: step.key, lost };
  }
  return best;
}

@Injectable()
export class ReportsService {
  constructor(
    private readonly reports: ReportsRepository,
    private readonly sequences: SequenceService,
    private readonly segments: SegmentRepository,
  ) {}

  async funnel(sequenceKey: string, query: FunnelQuery): Promise<FunnelDto> {
    const sequence = await this.sequences.require(sequenceKey);
    const since = query.since ? new Date(query.since) : null;
    const until = query.until ? new Date(query.until) : null;
    const whole = await this.reports.funnel(sequence.id, since, until);
    const variantRows = sequence.steps.some((step) => step.variants)
      ? await this.reports.funnelVariants(sequence.id, since, until)
      : [];
    const steps = toSteps(whole.steps, variantRows);
    const result: FunnelDto = {
      sequence: sequence.key,
      since: since?.toISOString() ?? null,
      until: until?.toISOString() ?? null,
      totals: toTotals(whole.totals),
      steps,
      biggestDrop: biggestDrop(steps),
    };
    if (query.by) result.breakdown = await this.breakdown(sequence.id, since, until, query.by);
    return result;
  }

  private async breakdown(
    sequenceId: string,
    since: Date | null,
    until: Date | null,
    by: 'locale' | 'segment',
  ): Promise<FunnelBreakdownDto[]> {
    const groups: Array<{ value: string; filter: SqlFragment }> = [];
    if (by === 'locale') {
      for (const language of await this.reports.cohortLanguages(sequenceId)) {
        groups.push({
          value: language,
          // The expression of contacts_language_stats (migration 1764300000000): keep them the same.
          filter: sqlFragment(`COALESCE(split_part(lower(c.locale), '-', 1), '') = ?`, language),
        });
      }
    } else {
      for (const segment of await this.segments.findAll()) {
        groups.push({ value: segment.key, filter: compileRule(segment.rule as Rule, 'c') });
      }
    }
    const breakdown: FunnelBreakdownDto[] = [];
    for (const group of groups) {
      const funnel = await this.reports.funnel(sequenceId, since, until, group.filter);
      const steps = toSteps(funnel.steps);
      breakdown.push({
        by,
        value: group.value,
        totals: toTotals(funnel.totals),
        steps,
        biggestDrop: biggestDrop(steps),
      });
    }
    return breakdown;
  }

  async conversions(query: ConversionQuery): Promise<Page<ConversionDto>> {
    const limit = query.limit ?? DEFAULT_PAGE_SIZE;
    const rows = await this.reports.conversions({
      sequence: query.sequence,
      since: query.since ? new Date(query.since) : undefined,
      until: query.until ? new Date(query.until) : undefined,
      after: decodeCursor(query.cursor, 2) as [string, string] | undefined,
      limit,
    });
    return toPage(
      rows,
      limit,
      (row) => ({
        contactId: row.contact_id,
        email: row.email,
        sequence: row.sequence_key,
        event: row.event_name,
        attributedStep: row.attributed_step,
        occurredAt: row.occurred_at.toISOString(),
      }),
      (row) => [row.occurred_at.toISOString(), row.id],
    );
  }
}
