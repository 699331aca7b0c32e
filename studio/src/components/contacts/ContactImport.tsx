import { type DragEvent, useState } from 'react';
import type { Schemas } from '../../api/client';
import { useI18n } from '../../i18n/i18n';
import { ErrorNotice } from '../ErrorNotice';
import { rawFetch } from '../ops/raw-fetch';

type ImportResult = Schemas['ImportResultDto'];

/**
 * CSV import: a file picked or dropped goes to POST /v1/contacts/import as text/csv, as it is (the server parses
 * it and names each rejected row by its line after the header). Valid rows land even when others are rejected,
 * so the result shows both.
 */
export function ContactImport({ onImported }: { onImported(): void }) {
  const { t, number } = useI18n();
  const [busy, setBusy] = useState(false);
  const [dragging, setDragging] = useState(false);
  const [result, setResult] = useState<{ file: string; reply: ImportResult } | null>(null);
  const [error, setError] = useState<unknown>(null);

  async function upload(file: File) {
    setBusy(true);
    setError(null);
    setResult(null);
    try {
      const response = await rawFetch('/v1/contacts/import', {
        method: 'POST',
        headers: { 'Content-Type': 'text/csv', Accept: 'application/json' },
        body: await file.text(),
      });
      setResult({ file: file.name, reply: (await response.json()) as ImportResult });
      onImported();
    } catch (failure) {
      setError(failure);
    } finally {
      setBusy(false);
    }
  }

  function dropped(event: DragEvent<HTMLElement>) {
    event.preventDefault();
    setDragging(false);
    const file = event.dataTransfer.files[0];
    if (file) void upload(file);
  }

  return (
    <section className="panel contact-import" aria-labelledby="import-title">
      <h2 id="import-title">{t('contacts.importTitle')}</h2>
      <p className="muted">{t('contacts.importIntro')}</p>
      <div
        className={dragging ? 'drop-zone dragging' : 'drop-zone'}
        id="import-drop"
        onDragOver={(event) => {
          event.preventDefault();
          setDragging(true);
        }}
        onDragLeave={() => setDragging(false)}
        onDrop={dropped}
      >
        <label htmlFor="import-file">{t('contacts.importPick')}</label>
        <input
          id="import-file"
          type="file"
          accept=".csv,text/csv"
          disabled={busy}
          onChange={(event) => {
            const file = event.target.files?.[0];
            event.target.value = '';
            if (file) void upload(file);
          }}
        />
        <p className="muted hint">{t('contacts.importDrop')}</p>
      </div>
      {busy && (
        <p role="status" className="loading">
          {t('contacts.importing')}
        </p>
      )}
      {error !== null && <ErrorNotice error={error} />}
      {result && (
        <div id="import-result" role="status">
          <p className="announcement">
            {t('contacts.imported', {
              file: result.file,
              created: number(result.reply.created),
              updated: number(result.reply.updated),
              rejected: number(result.reply.rejected.length),
            })}
          </p>
          {result.reply.rejected.length > 0 && (
            <table className="ops-table" id="import-rejected">
              <caption>{t('contacts.rejectedCaption')}</caption>
              <thead>
                <tr>
                  <th scope="col">{t('contacts.rejectedRow')}</th>
                  <th scope="col">{t('contacts.rejectedWhy')}</th>
                </tr>
              </thead>
              <tbody>
                {result.reply.rejected.map((rejection) => (
                  <tr key={rejection.row} data-row={rejection.row}>
                    <th scope="row" data-label={t('contacts.rejectedRow')}>
                      {rejection.row}
                    </th>
                    <td data-label={t('contacts.rejectedWhy')}>{rejection.errors.join('; ')}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </div>
      )}
    </section>
  );
}
