export interface VariantLike {
  locale: string;
}

/** Exact locale (case-insensitive) → its language part (`ro-MD` → `ro`) → the template's first variant. */
export function chooseVariant<T extends VariantLike>(variants: T[], locale: string | null | undefined): T {
  if (variants.length === 0) throw new Error('a template has at least one variant');
  if (locale) {
    const wanted = locale.toLowerCase();
    const exact = variants.find((variant) => variant.locale.toLowerCase() === wanted);
    if (exact) return exact;
    const language = wanted.split('-')[0];
    const byLanguage =
      variants.find((variant) => variant.locale.toLowerCase() === language) ??
      variants.find((variant) => variant.locale.toLowerCase().split('-')[0] === language);
    if (byLanguage) return byLanguage;
  }
  return variants[0];
}
