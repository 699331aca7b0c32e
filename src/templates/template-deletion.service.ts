import { Injectable } from '@nestjs/common';
import { TemplateDeletionRepository, type TemplateUserRow } from './template-deletion.repository.js';
import { TemplateErrorCode, TemplateException } from './template.exception.js';

function describeUser(template: string, user: TemplateUserRow): string {
  const sequence = user.sequence_status === 'archived' ? `${user.sequence} (archived)` : user.sequence;
  const variants = user.variants?.length
    ? ` ${user.variants.length === 1 ? 'variant' : 'variants'} ${user.variants.join(', ')}`
    : '';
  const removed = user.removed ? ' (removed, kept for its delivery history)' : '';
  return `template ${template} is used by sequence ${sequence} step ${user.step}${variants}${removed}`;
}

/** A template may be deleted only while no step of any sequence, current, removed or archived, names it. */
@Injectable()
export class TemplateDeletionService {
  constructor(private readonly templates: TemplateDeletionRepository) {}

  async delete(key: string): Promise<void> {
    const users = await this.templates.deleteUnused(key);
    if (!users) throw new TemplateException(TemplateErrorCode.NOT_FOUND, `template ${key} not found`);
    if (users.length > 0) {
      throw new TemplateException(
        TemplateErrorCode.IN_USE,
        users.map((user) => describeUser(key, user)),
      );
    }
  }
}
