import { useMemo } from 'react';
import { formattingLocale, useI18n } from '../../i18n/i18n';

/**
 * Times in a zone other than the viewer's (a contact's own): the same parts as the studio's other dates, the zone
 * named. An unknown zone name falls back to UTC rather than breaking the page.
 */
export function useZonedDateTime(): (iso: string, timeZone: string) => string {
  const { language } = useI18n();
  return useMemo(() => {
    const formats = new Map<string, Intl.DateTimeFormat>();
    const formatIn = (timeZone: string) => {
      let format = formats.get(timeZone);
      if (!format) {
        const options: Intl.DateTimeFormatOptions = {
          year: 'numeric',
          month: 'short',
          day: 'numeric',
          hour: '2-digit',
          minute: '2-digit',
          timeZoneName: 'short',
        };
        try {
          format = new Intl.DateTimeFormat(formattingLocale(language), { ...options, timeZone });
        } catch {
          format = new Intl.DateTimeFormat(formattingLocale(language), { ...options, timeZone: 'UTC' });
        }
        formats.set(timeZone, format);
      }
      return format;
    };
    return (iso, timeZone) => formatIn(timeZone).format(new Date(iso));
  }, [language]);
}
