import { api, type Schemas, unwrap } from '../api/client';
import { ErrorNotice, Loading } from '../components/ErrorNotice';
import { StatusBadge } from '../components/StatusBadge';
import { useLoad } from '../components/useLoad';
import { useI18n } from '../i18n/i18n';
import { href } from '../router';

const PAGE = 500;

interface Row {
  sequence: Schemas['SequenceDto'];
  /** null: this one's funnel could not be read (the list still shows) */
  funnel: Schemas['FunnelDto'] | null;
}

async function loadRows(): Promise<{ rows: Row[]; more: boolean }> {
  const page = await unwrap(api.GET('/v1/sequences', { params: { query: { limit: PAGE } } }));
  const rows = await Promise.all(
    page.items.map(async (sequence) => ({
      sequence,
      funnel: await unwrap(api.GET('/v1/sequences/{key}/funnel', { params: { path: { key: sequence.key } } })).catch(
        () => null,
      ),
    })),
  );
  return { rows, more: page.nextCursor !== null };
}

export function Sequences() {
  const { t, number, percent } = useI18n();
  const loaded = useLoad(loadRows, []);
  return (
    <section aria-labelledby="sequences-title">
      <div className="panel-head">
        <h1 id="sequences-title">{t('sequences.title')}</h1>
        <a className="button primary" href={href({ screen: 'new' })} id="new-sequence-link">
          {t('sequences.new')}
        </a>
      </div>
      <p className="intro">{t('sequences.intro')}</p>
      {loaded.state === 'loading' && <Loading />}
      {loaded.state === 'failed' && <ErrorNotice error={loaded.error} onRetry={loaded.reload} />}
      {loaded.state === 'ready' && loaded.data.rows.length === 0 && (
        <div className="empty" id="sequences-empty">
          <h2>{t('sequences.emptyTitle')}</h2>
          <p>{t('sequences.emptyBody')}</p>
          <p>
            <a className="button primary" href={href({ screen: 'new' })}>
              {t('sequences.new')}
            </a>{' '}
            <a href="/docs">{t('nav.apiDocs')}</a>
          </p>
        </div>
      )}
      {loaded.state === 'ready' && loaded.data.rows.length > 0 && (
        <>
          <table className="sequences" id="sequences">
            <thead>
              <tr>
                <th scope="col">{t('sequences.name')}</th>
                <th scope="col">{t('sequences.key')}</th>
                <th scope="col">{t('sequences.status')}</th>
                <th scope="col" className="number">
                  {t('sequences.enrolled')}
                </th>
                <th scope="col" className="number">
                  {t('sequences.conversion')}
                </th>
                <th scope="col">{t('sequences.biggestDrop')}</th>
              </tr>
            </thead>
            <tbody>
              {loaded.data.rows.map(({ sequence, funnel }) => (
                <tr key={sequence.key} data-sequence={sequence.key}>
                  <th scope="row" data-label={t('sequences.name')}>
                    <a href={href({ screen: 'sequence', key: sequence.key })}>{sequence.name}</a>
                  </th>
                  <td data-label={t('sequences.key')}>
                    <code>{sequence.key}</code>
                  </td>
                  <td data-label={t('sequences.status')}>
                    <StatusBadge status={sequence.status} />
                  </td>
                  {funnel ? (
                    <>
                      <td className="number enrolled" data-label={t('sequences.enrolled')}>
                        {number(funnel.totals.enrolled)}
                      </td>
                      <td className="number conversion" data-label={t('sequences.conversion')}>
                        {percent(funnel.totals.conversionRate)}
                      </td>
                      <td className="drop" data-label={t('sequences.biggestDrop')}>
                        {funnel.biggestDrop
                          ? t('sequences.drop', {
                              step: funnel.biggestDrop.step,
                              lost: number(funnel.biggestDrop.lost),
                            })
                          : t('common.none')}
                      </td>
                    </>
                  ) : (
                    <td colSpan={3} className="muted" data-label={t('sequences.enrolled')}>
                      {t('sequences.funnelFailed')}
                    </td>
                  )}
                </tr>
              ))}
            </tbody>
          </table>
          {loaded.data.more && <p className="muted">{t('sequences.more', { count: PAGE })}</p>}
        </>
      )}
    </section>
  );
}
