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
} from './reports.dto.js';
import { type FunnelStepRow, type FunnelTotalsRow, ReportsRepository } from './reports.repository.js';

function toSteps(rows: FunnelStepRow[]): FunnelStepDto[] {
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
  }));
}

function toTotals(row: FunnelTotalsRow): FunnelTotalsDto {
  return {
    ...row,
    conversionRate: row.enrolled === 0 ? 0 : Math.round((row.converted / row.enrolled) * 10_000) / 10_000,
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
    const steps = toSteps(whole.steps);
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
