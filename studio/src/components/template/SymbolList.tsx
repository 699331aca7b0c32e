import { useState } from 'react';
import { useI18n } from '../../i18n/i18n';
import { TEMPLATE_HELPERS, TEMPLATE_VARIABLES, type TemplateSymbol } from './template-variables';

/**
 * The variables and helpers at hand: each inserts its example at the cursor of the field last in focus (the HTML of
 * the first variant before any), or copies it.
 */
export function SymbolList({ onInsert }: { onInsert(snippet: string): void }) {
  const { t } = useI18n();
  const [copied, setCopied] = useState<string | null>(null);
  const copy = (snippet: string) => {
    navigator.clipboard.writeText(snippet).then(
      () => setCopied(snippet),
      () => setCopied(null),
    );
  };
  const list = (title: string, symbols: TemplateSymbol[], id: string) => (
    <section aria-labelledby={id}>
      <h3 id={id}>{title}</h3>
      <ul className="symbols">
        {symbols.map((symbol) => (
          <li key={symbol.name}>
            <code className="symbol-name">{symbol.name}</code>
            <span className="muted">{t(symbol.description)}</span>
            <code className="symbol-snippet">{symbol.snippet}</code>
            <span className="symbol-buttons">
              <button
                type="button"
                onClick={() => onInsert(symbol.snippet)}
                aria-label={t('templates.insertNamed', { name: symbol.name })}
              >
                {t('templates.insert')}
              </button>
              <button
                type="button"
                onClick={() => copy(symbol.snippet)}
                aria-label={t('templates.copyNamed', { name: symbol.name })}
              >
                {copied === symbol.snippet ? t('templates.copied') : t('templates.copy')}
              </button>
            </span>
          </li>
        ))}
      </ul>
    </section>
  );
  return (
    <details className="panel symbols-panel" id="template-symbols" open>
      <summary>{t('templates.symbolsTitle')}</summary>
      <p className="muted hint">{t('templates.symbolsIntro')}</p>
      {list(t('templates.variables'), TEMPLATE_VARIABLES, 'symbols-variables')}
      {list(t('templates.helpers'), TEMPLATE_HELPERS, 'symbols-helpers')}
    </details>
  );
}
