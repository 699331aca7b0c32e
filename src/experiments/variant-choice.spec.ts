import { stepRow } from '../../test/support/step-fixture.js';
import { assignVariant } from './assignment.js';
import { chooseStepVariant, variantOf } from './variant-choice.js';

const variants = [
  { key: 'a', template_id: 'ta', template_key: 'mail-a', weight: 1 },
  { key: 'b', template_id: 'tb', template_key: 'mail-b', weight: 1 },
];
const ids = Array.from({ length: 40 }, (_, i) => `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`);

describe('chooseStepVariant', () => {
  it('sends a plain step its template, with no variant', () => {
    expect(chooseStepVariant(stepRow('hello', 0), ids[0])).toEqual({
      variant: null,
      templateId: 't',
      templateKey: 't',
    });
  });

  it('sends each enrollment its assigned variant while there is no winner', () => {
    const step = stepRow('hello', 0, { variants });
    const chosen = ids.map((id) => chooseStepVariant(step, id));
    expect(chosen.map((choice) => choice.variant)).toEqual(ids.map((id) => assignVariant(id, 'hello', variants)));
    expect(new Set(chosen.map((choice) => choice.templateId))).toEqual(new Set(['ta', 'tb']));
  });

  it('sends everyone the winner once there is one, unless that variant was removed', () => {
    const winner = { variant: 'b', probability: 0.97, decidedAt: '2026-11-24T10:00:00.000Z', by: 'auto' as const };
    const won = stepRow('hello', 0, { variants, winner });
    expect(new Set(ids.map((id) => chooseStepVariant(won, id).templateId))).toEqual(new Set(['tb']));
    const gone = stepRow('hello', 0, { variants, winner: { ...winner, variant: 'c' } });
    expect(new Set(ids.map((id) => chooseStepVariant(gone, id).variant))).toEqual(new Set(['a', 'b']));
  });
});

describe('variantOf', () => {
  it('finds a recorded variant, and nothing for one the step no longer has', () => {
    const step = stepRow('hello', 0, { variants });
    expect(variantOf(step, 'b')).toEqual({ variant: 'b', templateId: 'tb', templateKey: 'mail-b' });
    expect(variantOf(step, 'c')).toBeUndefined();
    expect(variantOf(step, null)).toBeUndefined();
    expect(variantOf(stepRow('hello', 0), null)).toEqual({ variant: null, templateId: 't', templateKey: 't' });
  });
});
