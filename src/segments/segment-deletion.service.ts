import { Injectable } from '@nestjs/common';
import { SegmentDeletionRepository, type SegmentUserRow } from './segment-deletion.repository.js';
import { SegmentErrorCode, SegmentException } from './segment.exception.js';

function describeUser(segment: string, user: SegmentUserRow): string {
  const sequence = user.sequence_status === 'archived' ? `${user.sequence} (archived)` : user.sequence;
  if (user.step === null) return `segment ${segment} is the audience of sequence ${sequence}`;
  const removed = user.removed ? ' (removed, kept for its delivery history)' : '';
  return `segment ${segment} is used by sequence ${sequence} step ${user.step}${removed}`;
}

/** A segment may be deleted only while no sequence has it as audience and no step of any sequence names it. */
@Injectable()
export class SegmentDeletionService {
  constructor(private readonly segments: SegmentDeletionRepository) {}

  async delete(key: string): Promise<void> {
    const users = await this.segments.deleteUnused(key);
    if (!users) throw new SegmentException(SegmentErrorCode.NOT_FOUND, `segment ${key} not found`);
    if (users.length > 0) {
      throw new SegmentException(
        SegmentErrorCode.IN_USE,
        users.map((user) => describeUser(key, user)),
      );
    }
  }
}
