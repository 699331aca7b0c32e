import { Injectable } from '@nestjs/common';
import { decodeCursor, DEFAULT_PAGE_SIZE, type Page, type PageQuery, toPage } from '../common/pagination.js';
import type { SqlFragment } from '../database/sql.js';
import { compileRule, type Rule, validateRule } from './segment-rule.js';
import type { CreateSegmentDto, SegmentDto, UpdateSegmentDto } from './segment.dto.js';
import { SegmentRepository, type SegmentRow } from './segment.repository.js';
import { SegmentErrorCode, SegmentException } from './segment.exception.js';

function toSegmentDto(row: SegmentRow): SegmentDto {
  return {
    key: row.key,
    name: row.name,
    rule: row.rule,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  };
}

function assertValidRule(rule: unknown): asserts rule is Rule {
  const problems = validateRule(rule);
  if (problems.length > 0) throw new SegmentException(SegmentErrorCode.RULE_INVALID, problems);
}

@Injectable()
export class SegmentService {
  constructor(private readonly segments: SegmentRepository) {}

  async create(dto: CreateSegmentDto): Promise<SegmentDto> {
    assertValidRule(dto.rule);
    const row = await this.segments.insert(dto.key, dto.name, dto.rule);
    if (!row) throw new SegmentException(SegmentErrorCode.KEY_TAKEN, `segment ${dto.key} already exists`);
    return toSegmentDto(row);
  }

  async update(key: string, dto: UpdateSegmentDto): Promise<SegmentDto> {
    assertValidRule(dto.rule);
    const row = await this.segments.update(key, dto.name, dto.rule);
    if (!row) throw new SegmentException(SegmentErrorCode.NOT_FOUND, `segment ${key} not found`);
    return toSegmentDto(row);
  }

  async get(key: string): Promise<SegmentDto> {
    return toSegmentDto(await this.require(key));
  }

  async list(query: PageQuery): Promise<Page<SegmentDto>> {
    const limit = query.limit ?? DEFAULT_PAGE_SIZE;
    const rows = await this.segments.findPage(limit, decodeCursor(query.cursor, 1)?.[0]);
    return toPage(rows, limit, toSegmentDto, (row) => [row.key]);
  }

  /** The segment's rule as a SQL fragment over `contacts c` (numbered where it is placed). */
  async compiledRule(key: string, alias = 'c'): Promise<SqlFragment> {
    const row = await this.require(key);
    return compileRule(row.rule as Rule, alias);
  }

  /** An unsaved rule (a preview of a segment being built), validated as a save would, as a SQL fragment. */
  compileUnsaved(rule: unknown, alias = 'c'): SqlFragment {
    assertValidRule(rule);
    return compileRule(rule, alias);
  }

  async require(key: string): Promise<SegmentRow> {
    const row = await this.segments.findByKey(key);
    if (!row) throw new SegmentException(SegmentErrorCode.NOT_FOUND, `segment ${key} not found`);
    return row;
  }
}
