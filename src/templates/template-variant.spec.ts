import { chooseVariant } from './template-variant.js';

describe('template variant choice', () => {
  const variants = [{ locale: 'en' }, { locale: 'ro' }, { locale: 'ru' }, { locale: 'pt-BR' }];

  it.each([
    ['ro', 'ro'],
    ['RO', 'ro'],
    ['ro-MD', 'ro'],
    ['ru-RU', 'ru'],
    ['pt-BR', 'pt-BR'],
    ['pt-PT', 'pt-BR'],
    ['de', 'en'],
    [null, 'en'],
    [undefined, 'en'],
  ])('locale %s → %s', (locale, expected) => {
    expect(chooseVariant(variants, locale).locale).toBe(expected);
  });

  it('prefers an exact regional match over the bare language', () => {
    expect(chooseVariant([{ locale: 'ro' }, { locale: 'ro-MD' }], 'ro-MD').locale).toBe('ro-MD');
  });
});
