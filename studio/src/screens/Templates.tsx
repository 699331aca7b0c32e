import { api, type Schemas, unwrap } from '../api/client';
import { ErrorNotice, Loading } from '../components/ErrorNotice';
import { useLoad } from '../components/useLoad';
import { useI18n } from '../i18n/i18n';
import { href } from '../router';

const PAGE = 500;

interface Listing {
  templates: Schemas['TemplateDto'][];
  /** template key → the sequences whose steps (or A/B variants) name it */
  usedBy: Map<string, string[]>;
  more: boolean;
}

async function loadListing(): Promise<Listing> {
  const [templates, sequences] = await Promise.all([
    unwrap(api.GET('/v1/templates', { params: { query: { limit: PAGE } } })),
    unwrap(api.GET('/v1/sequences', { params: { query: { limit: PAGE } } })),
  ]);
  const usedBy = new Map<string, string[]>();
  for (const sequence of sequences.items) {
    const keys = new Set(
      sequence.steps.flatMap((step) => [
        ...(step.template ? [step.template] : []),
        ...(step.variants ?? []).map((v) => v.template),
      ]),
    );
    for (const key of keys) usedBy.set(key, [...(usedBy.get(key) ?? []), sequence.key]);
  }
  return { templates: templates.items, usedBy, more: templates.nextCursor !== null };
}

export function Templates() {
  const { t } = useI18n();
  const loaded = useLoad(loadListing, []);
  const create = (
    <a className="button primary" href={href({ screen: 'template', key: null })} id="new-template-link">
      {t('templates.new')}
    </a>
  );
  return (
    <section aria-labelledby="templates-title">
      <div className="panel-head">
        <h1 id="templates-title">{t('templates.title')}</h1>
        {create}
      </div>
      <p className="intro">{t('templates.intro')}</p>
      {loaded.state === 'loading' && <Loading />}
      {loaded.state === 'failed' && <ErrorNotice error={loaded.error} onRetry={loaded.reload} />}
      {loaded.state === 'ready' && loaded.data.templates.length === 0 && (
        <div className="empty" id="templates-empty">
          <h2>{t('templates.emptyTitle')}</h2>
          <p>{t('templates.emptyBody')}</p>
          <p>{create}</p>
        </div>
      )}
      {loaded.state === 'ready' && loaded.data.templates.length > 0 && (
        <>
          <table className="sequences templates" id="templates">
            <thead>
              <tr>
                <th scope="col">{t('templates.name')}</th>
                <th scope="col">{t('templates.key')}</th>
                <th scope="col">{t('templates.locales')}</th>
                <th scope="col">{t('templates.usedBy')}</th>
              </tr>
            </thead>
            <tbody>
              {loaded.data.templates.map((template) => {
                const users = loaded.data.usedBy.get(template.key) ?? [];
                return (
                  <tr key={template.key} data-template={template.key}>
                    <th scope="row" data-label={t('templates.name')}>
                      <a href={href({ screen: 'template', key: template.key })}>{template.name}</a>
                    </th>
                    <td data-label={t('templates.key')}>
                      <code>{template.key}</code>
                    </td>
                    <td data-label={t('templates.locales')} className="locales">
                      {template.variants.map((v) => v.locale).join(', ')}
                    </td>
                    <td data-label={t('templates.usedBy')} className="used-by">
                      {users.length === 0 ? (
                        <span className="muted">{t('templates.unused')}</span>
                      ) : (
                        users.map((key, index) => (
                          <span key={key}>
                            {index > 0 && ', '}
                            <a href={href({ screen: 'sequence', key })}>{key}</a>
                          </span>
                        ))
                      )}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
          {loaded.data.more && <p className="muted">{t('templates.more', { count: PAGE })}</p>}
        </>
      )}
    </section>
  );
}
