import { useEffect, useState } from 'react';
import { api, type Schemas, unwrap } from '../../api/client';
import { useI18n } from '../../i18n/i18n';
import { describeError } from '../ErrorNotice';
import type { PreviewSample, SampleProblem } from './preview-sample';

interface Props {
  sample: PreviewSample;
  locales: string[];
  problems: SampleProblem[];
  onChange(sample: PreviewSample): void;
}

/** A stored contact found by e-mail (GET /v1/contacts?q=), a few at a time, as the marketer types. */
function ContactSearch({ onPick }: { onPick(contact: Schemas['ContactDto']): void }) {
  const { t } = useI18n();
  const [query, setQuery] = useState('');
  const [found, setFound] = useState<Schemas['ContactDto'][] | null>(null);
  const [failure, setFailure] = useState<string | null>(null);
  useEffect(() => {
    if (query.trim().length < 2) {
      setFound(null);
      return;
    }
    let current = true;
    const timer = setTimeout(() => {
      unwrap(api.GET('/v1/contacts', { params: { query: { q: query.trim(), limit: 5 } } })).then(
        (page) => {
          if (!current) return;
          setFound(page.items);
          setFailure(null);
        },
        (error: unknown) => {
          if (current) setFailure(describeError(error, t));
        },
      );
    }, 250);
    return () => {
      current = false;
      clearTimeout(timer);
    };
  }, [query, t]);
  return (
    <div className="field contact-search">
      <label htmlFor="preview-contact-search">{t('templates.findContact')}</label>
      <input
        id="preview-contact-search"
        type="search"
        value={query}
        onChange={(event) => setQuery(event.target.value)}
        autoComplete="off"
      />
      {failure && <p className="field-problem">{failure}</p>}
      {found && found.length === 0 && <p className="muted hint">{t('templates.noContactFound')}</p>}
      {found && found.length > 0 && (
        <ul className="found-contacts">
          {found.map((contact) => (
            <li key={contact.id}>
              <button type="button" onClick={() => onPick(contact)}>
                {t('templates.useContact', { email: contact.email })}
              </button>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

/** What the preview renders for, editable: the sample contact (or a picked one), the variant's locale, the event. */
export function PreviewSampleFields({ sample, locales, problems, onChange }: Props) {
  const { t } = useI18n();
  const contactField = (name: keyof PreviewSample['contact'], label: string, multiline = false) => {
    const id = `preview-contact-${name}`;
    const invalid = name === 'attributes' && problems.includes('attributes');
    const props = {
      id,
      value: sample.contact[name],
      'aria-invalid': invalid ? true : undefined,
      'aria-describedby': invalid ? `${id}-problem` : undefined,
      onChange: (event: { target: { value: string } }) =>
        onChange({ ...sample, contact: { ...sample.contact, [name]: event.target.value } }),
    };
    return (
      <div className="field">
        <label htmlFor={id}>{label}</label>
        {multiline ? <textarea {...props} rows={2} spellCheck={false} /> : <input {...props} />}
        {invalid && (
          <p className="field-problem" id={`${id}-problem`}>
            {t('templates.jsonObject')}
          </p>
        )}
      </div>
    );
  };
  const propertiesInvalid = problems.includes('properties');
  return (
    <fieldset className="preview-sample">
      <legend>{t('templates.sampleLegend')}</legend>
      {sample.picked ? (
        <p className="picked-contact">
          {t('templates.renderingFor', { email: sample.picked.email })}{' '}
          <button type="button" onClick={() => onChange({ ...sample, picked: null })}>
            {t('templates.useSample')}
          </button>
        </p>
      ) : (
        <div className="editor-fields">
          {contactField('firstName', t('templates.firstName'))}
          {contactField('lastName', t('templates.lastName'))}
          {contactField('locale', t('templates.contactLocale'))}
          {contactField('timezone', t('templates.timezone'))}
          {contactField('attributes', t('templates.attributes'), true)}
        </div>
      )}
      <ContactSearch onPick={(contact) => onChange({ ...sample, picked: { id: contact.id, email: contact.email } })} />
      <div className="editor-fields">
        <div className="field">
          <label htmlFor="preview-locale">{t('templates.renderLocale')}</label>
          <select
            id="preview-locale"
            value={sample.locale}
            onChange={(event) => onChange({ ...sample, locale: event.target.value })}
          >
            <option value="">{t('templates.contactsLocale')}</option>
            {locales.map((locale) => (
              <option key={locale} value={locale}>
                {locale}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor="preview-event-name">{t('templates.eventName')}</label>
          <input
            id="preview-event-name"
            value={sample.event.name}
            onChange={(event) => onChange({ ...sample, event: { ...sample.event, name: event.target.value } })}
          />
        </div>
        <div className="field">
          <label htmlFor="preview-event-properties">{t('templates.eventProperties')}</label>
          <textarea
            id="preview-event-properties"
            rows={2}
            spellCheck={false}
            value={sample.event.properties}
            aria-invalid={propertiesInvalid ? true : undefined}
            aria-describedby={propertiesInvalid ? 'preview-event-properties-problem' : undefined}
            onChange={(event) => onChange({ ...sample, event: { ...sample.event, properties: event.target.value } })}
          />
          {propertiesInvalid && (
            <p className="field-problem" id="preview-event-properties-problem">
              {t('templates.jsonObject')}
            </p>
          )}
        </div>
      </div>
    </fieldset>
  );
}
