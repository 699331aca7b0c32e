import { useState } from 'react';
import { api, unwrap } from '../api/client';
import { describeError, ErrorNotice, Loading } from '../components/ErrorNotice';
import { sinceOf, untilOf } from '../components/ops/dates';
import { downloadCsv, queryOf } from '../components/ops/raw-fetch';
import { usePaged } from '../components/ops/usePaged';
import { useSequences } from '../components/ops/useSequences';
import { useI18n } from '../i18n/i18n';
import { href } from '../router';

/** The conversion log: who converted, in which sequence, by which event, after which step. */
export function Conversions() {
  const { t, dateTime, timeZone } = useI18n();
  const sequences = useSequences();
  const [sequence, setSequence] = useState('');
  const [since, setSince] = useState('');
  const [until, setUntil] = useState('');
  const [exportProblem, setExportProblem] = useState('');
  const query = { sequence: sequence || undefined, since: sinceOf(since), until: untilOf(until) };
  const list = usePaged(
    (cursor) => unwrap(api.GET('/v1/conversions', { params: { query: { ...query, limit: 50, cursor } } })),
    [sequence, since, until],
  );
  async function exportCsv() {
    setExportProblem('');
    try {
      await downloadCsv(`/v1/conversions${queryOf(query)}`, 'conversions.csv');
    } catch (failure) {
      setExportProblem(describeError(failure, t));
    }
  }
  return (
    <section aria-labelledby="conversions-title">
      <div className="panel-head">
        <h1 id="conversions-title">{t('ops.conversionsTitle')}</h1>
        <button type="button" id="export-conversions" onClick={() => void exportCsv()}>
          {t('ops.exportCsv')}
        </button>
      </div>
      <p className="intro">{t('ops.conversionsIntro')}</p>
      {exportProblem && (
        <p className="notice error" role="alert">
          {exportProblem}
        </p>
      )}
      <form className="filters" onSubmit={(event) => event.preventDefault()}>
        <div className="field">
          <label htmlFor="conversions-sequence">{t('ops.sequence')}</label>
          <select id="conversions-sequence" value={sequence} onChange={(event) => setSequence(event.target.value)}>
            <option value="">{t('ops.all')}</option>
            {sequences.state === 'ready' &&
              sequences.data.map((item) => (
                <option key={item.key} value={item.key}>
                  {item.name} ({item.key})
                </option>
              ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor="conversions-since">{t('ops.since', { zone: timeZone })}</label>
          <input id="conversions-since" type="date" value={since} onChange={(event) => setSince(event.target.value)} />
        </div>
        <div className="field">
          <label htmlFor="conversions-until">{t('ops.until', { zone: timeZone })}</label>
          <input id="conversions-until" type="date" value={until} onChange={(event) => setUntil(event.target.value)} />
        </div>
      </form>
      {list.error !== null && <ErrorNotice error={list.error} onRetry={list.reload} />}
      {list.loading && list.items.length === 0 && <Loading />}
      {!list.loading && list.error === null && list.items.length === 0 && (
        <div className="empty" id="conversions-empty">
          <p>{t('ops.noConversions')}</p>
        </div>
      )}
      {list.items.length > 0 && (
        <table className="ops-table" id="conversions">
          <thead>
            <tr>
              <th scope="col">{t('ops.contact')}</th>
              <th scope="col">{t('ops.sequence')}</th>
              <th scope="col">{t('ops.event')}</th>
              <th scope="col">{t('ops.attributedStep')}</th>
              <th scope="col">{t('ops.occurredAt')}</th>
            </tr>
          </thead>
          <tbody>
            {list.items.map((conversion, index) => (
              <tr key={`${conversion.contactId}-${conversion.occurredAt}-${index}`}>
                <th scope="row" data-label={t('ops.contact')}>
                  <a href={href({ screen: 'contact', id: conversion.contactId })}>
                    {conversion.email ?? t('ops.erased')}
                  </a>
                </th>
                <td data-label={t('ops.sequence')}>{conversion.sequence}</td>
                <td data-label={t('ops.event')}>
                  <code>{conversion.event}</code>
                </td>
                <td data-label={t('ops.attributedStep')}>{conversion.attributedStep ?? t('ops.noStep')}</td>
                <td data-label={t('ops.occurredAt')}>{dateTime(conversion.occurredAt)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {list.hasMore && (
        <button type="button" onClick={list.more} disabled={list.loading}>
          {t('ops.more')}
        </button>
      )}
    </section>
  );
}
