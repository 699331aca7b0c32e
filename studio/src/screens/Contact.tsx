import { api, unwrap } from '../api/client';
import { ContactActivity } from '../components/contacts/ContactActivity';
import { ContactEnrollments } from '../components/contacts/ContactEnrollments';
import { Unready } from '../components/Unready';
import { useLoad } from '../components/useLoad';
import { useI18n } from '../i18n/i18n';
import { href } from '../router';
import { contactName } from './Contacts';

/** One contact: who they are, every enrollment with its calendar in their own time, their events and emails. */
export function Contact({ id }: { id: string }) {
  const { t, dateTime } = useI18n();
  const loaded = useLoad(() => unwrap(api.GET('/v1/contacts/{id}', { params: { path: { id } } })), [id]);
  const back = (
    <p className="back">
      <a href={href({ screen: 'contacts' })}>← {t('contact.back')}</a>
    </p>
  );
  if (loaded.state !== 'ready')
    return (
      <Unready
        loaded={loaded}
        back={back}
        notFound={
          <p className="notice error" role="alert">
            {t('contact.notFound')}
          </p>
        }
        missing={[404, 400]}
      />
    );
  const contact = loaded.data;
  const attributes = Object.entries(contact.attributes);
  return (
    <article className="contact" aria-labelledby="contact-title">
      {back}
      <h1 id="contact-title">{contactName(contact) || contact.email}</h1>
      <section className="panel" aria-labelledby="contact-facts">
        <h2 id="contact-facts">{t('contact.facts')}</h2>
        <dl className="settings contact-facts">
          <div data-fact="email">
            <dt>{t('contacts.email')}</dt>
            <dd>{contact.email}</dd>
          </div>
          <div data-fact="status">
            <dt>{t('contacts.status')}</dt>
            <dd>
              <span className={`status contact-${contact.status}`}>{t(`contacts.state.${contact.status}`)}</span>
            </dd>
          </div>
          <div data-fact="locale">
            <dt>{t('contacts.locale')}</dt>
            <dd>{contact.locale ?? t('contact.noLocale')}</dd>
          </div>
          <div data-fact="timezone">
            <dt>{t('contacts.timezone')}</dt>
            <dd>{contact.timezone ?? t('contact.noTimezone')}</dd>
          </div>
          <div data-fact="created">
            <dt>{t('contact.created')}</dt>
            <dd>{dateTime(contact.createdAt)}</dd>
          </div>
        </dl>
        <h3>{t('contact.attributes')}</h3>
        {attributes.length === 0 ? (
          <p className="muted">{t('contact.noAttributes')}</p>
        ) : (
          <dl className="attributes" id="contact-attributes">
            {attributes.map(([name, value]) => (
              <div key={name} data-attribute={name}>
                <dt>
                  <code>{name}</code>
                </dt>
                <dd>{typeof value === 'string' ? value : JSON.stringify(value)}</dd>
              </div>
            ))}
          </dl>
        )}
      </section>
      <ContactEnrollments contact={contact} />
      <ContactActivity contactId={contact.id} />
    </article>
  );
}
