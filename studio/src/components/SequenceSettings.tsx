import type { ReactNode } from 'react';
import type { Schemas } from '../api/client';
import { useI18n } from '../i18n/i18n';

/** The sequence's rules as a definition list: every setting named, an unset one said in words. */
export function SequenceSettings({ sequence }: { sequence: Schemas['SequenceDto'] }) {
  const { t, dateTime, percent, weekday } = useI18n();
  const tracking = sequence.tracking;
  const days = sequence.sendWindow?.days;
  const window = sequence.sendWindow
    ? `${sequence.sendWindow.from}–${sequence.sendWindow.to}, ${
        days && days.length > 0 && days.length < 7 ? days.map(weekday).join(' ') : t('settings.everyDay')
      }`
    : t('settings.anyTime');
  const tracked = [tracking.opens && t('settings.opens'), tracking.clicks && t('settings.clicks')].filter(Boolean);
  const rows: Array<[string, ReactNode, string]> = [
    ['trigger', sequence.triggerEvent ? <code>{sequence.triggerEvent}</code> : t('common.none'), t('settings.trigger')],
    [
      'conversion',
      sequence.conversionEvent ? <code>{sequence.conversionEvent}</code> : t('common.none'),
      t('settings.conversion'),
    ],
    [
      'audience',
      sequence.audienceSegment ? <code>{sequence.audienceSegment}</code> : t('settings.everyone'),
      t('settings.audience'),
    ],
    ['window', window, t('settings.window')],
    ['timezone', sequence.timezone ?? t('settings.utc'), t('settings.timezone')],
    [
      'reentry',
      [
        t(`settings.reentry.${sequence.reentry}`),
        sequence.reentryCooldownDays ? t('settings.cooldown', { days: sequence.reentryCooldownDays }) : null,
      ]
        .filter(Boolean)
        .join('; '),
      t('settings.reentry'),
    ],
    ['transactional', sequence.transactional ? t('common.yes') : t('common.no'), t('settings.transactional')],
    [
      'holdout',
      sequence.holdoutPercent > 0
        ? t('settings.holdoutValue', { percent: percent(sequence.holdoutPercent / 100) })
        : t('common.none'),
      t('settings.holdout'),
    ],
    ['tracking', tracked.length > 0 ? tracked.join(', ') : t('common.none'), t('settings.tracking')],
    ['created', dateTime(sequence.createdAt), t('settings.created')],
  ];
  return (
    <dl className="settings" id="settings">
      {rows.map(([name, value, label]) => (
        <div key={name} data-setting={name}>
          <dt>{label}</dt>
          <dd>{value}</dd>
        </div>
      ))}
    </dl>
  );
}
