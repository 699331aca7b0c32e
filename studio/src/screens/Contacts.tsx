import { useEffect, useState } from 'react';
import { api, type Schemas, unwrap } from '../api/client';
import { ContactImport } from '../components/contacts/ContactImport';
import { ErrorNotice, Loading } from '../components/ErrorNotice';
import { usePaged } from '../components/ops/usePaged';
import { useI18n } from '../i18n/i18n';
import { href } from '../router';

const PAGE = 50;
/** Long enough not to ask the server at every keystroke, short enough to feel live. */
const DEBOUNCE_MS = 300;

export function contactName(contact: Schemas['ContactDto']): string {
  return [contact.firstName, contact.lastName].filter(Boolean).join(' ');
}

/** The search in the address (`#/contacts?q=olga`): the browser's Back from a contact's page finds it again. */
function searchInUrl(): string {
  return new URLSearchParams(window.location.hash.split('?')[1] ?? '').get('q') ?? '';
}

function keepSearchInUrl(q: string): void {
  const hash = q ? `#/contacts?${new URLSearchParams({ q }).toString()}` : '#/contacts';
  // replaceState: each keystroke is not a page of history, and no hashchange re-renders the screen.
  if (window.location.hash !== hash) window.history.replaceState(null, '', hash);
}

/** Find a contact by e-mail or name, open its page; import contacts from a CSV file. */
export function Contacts() {
  const { t } = useI18n();
  const [typed, setTyped] = useState(searchInUrl);
  const [q, setQ] = useState(() => searchInUrl().trim());
  useEffect(() => {
    const timer = setTimeout(() => {
      setQ(typed.trim());
      keepSearchInUrl(typed.trim());
    }, DEBOUNCE_MS);
    return () => clearTimeout(timer);
  }, [typed]);
  const list = usePaged(
    (cursor) =>
      unwrap(
        api.GET('/v1/contacts', {
          params: { query: { limit: PAGE, ...(q ? { q } : {}), ...(cursor ? { cursor } : {}) } },
        }),
      ),
    [q],
  );
  return (
    <section aria-labelledby="contacts-title" className="contacts">
      <h1 id="contacts-title">{t('contacts.title')}</h1>
      <p className="intro">{t('contacts.intro')}</p>
      <div className="panel">
        <label className="label" htmlFor="contact-search">
          {t('contacts.search')}
        </label>
        <input
          id="contact-search"
          type="search"
          className="search"
          value={typed}
          placeholder={t('contacts.searchPlaceholder')}
          onChange={(event) => setTyped(event.target.value)}
        />
        <p className="muted hint">{t('contacts.searchHint')}</p>
        {list.error !== null && <ErrorNotice error={list.error} onRetry={list.reload} />}
        {list.loading && list.items.length === 0 && <Loading />}
        {!list.loading && list.error === null && list.items.length === 0 && (
          <div className="empty" id="contacts-empty">
            <p>{q ? t('contacts.noMatch', { q }) : t('contacts.none')}</p>
          </div>
        )}
        {list.items.length > 0 && <ContactTable contacts={list.items} />}
        {list.hasMore && (
          <button type="button" id="contacts-more" onClick={list.more} disabled={list.loading}>
            {t('ops.more')}
          </button>
        )}
      </div>
      <ContactImport onImported={list.reload} />
    </section>
  );
}

function ContactTable({ contacts }: { contacts: Schemas['ContactDto'][] }) {
  const { t } = useI18n();
  return (
    <table className="ops-table" id="contacts">
      <thead>
        <tr>
          <th scope="col">{t('contacts.email')}</th>
          <th scope="col">{t('contacts.name')}</th>
          <th scope="col">{t('contacts.status')}</th>
          <th scope="col">{t('contacts.locale')}</th>
          <th scope="col">{t('contacts.timezone')}</th>
        </tr>
      </thead>
      <tbody>
        {contacts.map((contact) => (
          <tr key={contact.id} data-contact={contact.email}>
            <th scope="row" data-label={t('contacts.email')}>
              <a href={href({ screen: 'contact', id: contact.id })}>{contact.email}</a>
            </th>
            <td data-label={t('contacts.name')}>{contactName(contact) || '—'}</td>
            <td data-label={t('contacts.status')}>
              <span className={`status contact-${contact.status}`}>{t(`contacts.state.${contact.status}`)}</span>
            </td>
            <td data-label={t('contacts.locale')}>{contact.locale ?? '—'}</td>
            <td data-label={t('contacts.timezone')}>{contact.timezone ?? '—'}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
