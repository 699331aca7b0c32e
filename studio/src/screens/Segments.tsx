import { api, type Schemas, unwrap } from '../api/client';
import { ErrorNotice, Loading } from '../components/ErrorNotice';
import { useLoad } from '../components/useLoad';
import { useI18n } from '../i18n/i18n';
import { href } from '../router';

const PAGE = 500;

interface Row {
  segment: Schemas['SegmentDto'];
  /** null: the count could not be read (the list still shows) */
  total: number | null;
}

async function loadRows(): Promise<{ rows: Row[]; more: boolean }> {
  const page = await unwrap(api.GET('/v1/segments', { params: { query: { limit: PAGE } } }));
  const rows = await Promise.all(
    page.items.map(async (segment) => ({
      segment,
      total: await unwrap(
        api.GET('/v1/segments/{key}/contacts', { params: { path: { key: segment.key }, query: { limit: 1 } } }),
      ).then(
        (members) => members.total,
        () => null,
      ),
    })),
  );
  return { rows, more: page.nextCursor !== null };
}

export function Segments() {
  const { t, number } = useI18n();
  const loaded = useLoad(loadRows, []);
  const create = (
    <a className="button primary" href={href({ screen: 'segment', key: null })} id="new-segment-link">
      {t('segments.new')}
    </a>
  );
  return (
    <section aria-labelledby="segments-title">
      <div className="panel-head">
        <h1 id="segments-title">{t('segments.title')}</h1>
        {create}
      </div>
      <p className="intro">{t('segments.intro')}</p>
      {loaded.state === 'loading' && <Loading />}
      {loaded.state === 'failed' && <ErrorNotice error={loaded.error} onRetry={loaded.reload} />}
      {loaded.state === 'ready' && loaded.data.rows.length === 0 && (
        <div className="empty" id="segments-empty">
          <h2>{t('segments.emptyTitle')}</h2>
          <p>{t('segments.emptyBody')}</p>
          <p>{create}</p>
        </div>
      )}
      {loaded.state === 'ready' && loaded.data.rows.length > 0 && (
        <>
          <table className="sequences segments" id="segments">
            <thead>
              <tr>
                <th scope="col">{t('segments.name')}</th>
                <th scope="col">{t('segments.key')}</th>
                <th scope="col" className="number">
                  {t('segments.members')}
                </th>
              </tr>
            </thead>
            <tbody>
              {loaded.data.rows.map(({ segment, total }) => (
                <tr key={segment.key} data-segment={segment.key}>
                  <th scope="row" data-label={t('segments.name')}>
                    <a href={href({ screen: 'segment', key: segment.key })}>{segment.name}</a>
                  </th>
                  <td data-label={t('segments.key')}>
                    <code>{segment.key}</code>
                  </td>
                  <td className="number members" data-label={t('segments.members')}>
                    {total === null ? <span className="muted">{t('segments.countFailed')}</span> : number(total)}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          {loaded.data.more && <p className="muted">{t('segments.more', { count: PAGE })}</p>}
        </>
      )}
    </section>
  );
}
