import { createContext, type ReactNode, useContext, useEffect, useMemo, useState } from 'react';
import { en, type MessageKey, type Messages } from './en';
import { ro } from './ro';
import { ru } from './ru';

export const LANGUAGES = { en: 'English', ru: 'Русский', ro: 'Română' } as const;
export type Language = keyof typeof LANGUAGES;
const DICTIONARIES: Record<Language, Messages> = { en, ru, ro };
const STORED = 'touchpoint-language';

function isLanguage(value: string | null | undefined): value is Language {
  return value !== null && value !== undefined && value in LANGUAGES;
}

/** The viewer's own choice if they made one, else the first of the browser's languages we speak, else English. */
function initialLanguage(): Language {
  const stored = localStorage.getItem(STORED);
  if (isLanguage(stored)) return stored;
  for (const tag of navigator.languages ?? [navigator.language]) {
    const primary = tag.toLowerCase().split('-')[0];
    if (isLanguage(primary)) return primary;
  }
  return 'en';
}

/** The browser's own tag for the chosen language when it has one (en-GB writes dates as en-GB), else the language. */
export function formattingLocale(language: Language): string {
  return (navigator.languages ?? []).find((tag) => tag.toLowerCase().split('-')[0] === language) ?? language;
}

export interface I18n {
  language: Language;
  setLanguage(language: Language): void;
  t(key: MessageKey, values?: Record<string, string | number>): string;
  /** A date and time in the viewer's locale and time zone, with the zone named. */
  dateTime(iso: string): string;
  percent(ratio: number): string;
  number(value: number): string;
  /** The viewer's time zone (IANA name), which every shown time is in. */
  timeZone: string;
  /** ISO weekday (1 = Monday … 7 = Sunday, 0 = Sunday) as a short name. */
  weekday(day: number): string;
}

const Context = createContext<I18n | null>(null);

export function I18nProvider({ children }: { children: ReactNode }) {
  const [language, setLanguageState] = useState<Language>(initialLanguage);
  useEffect(() => {
    document.documentElement.lang = language;
  }, [language]);
  const value = useMemo<I18n>(() => {
    const messages = DICTIONARIES[language];
    const locale = formattingLocale(language);
    // dateStyle/timeStyle cannot be combined with timeZoneName: the parts are named one by one.
    const dateTimes = new Intl.DateTimeFormat(locale, {
      year: 'numeric',
      month: 'short',
      day: 'numeric',
      hour: '2-digit',
      minute: '2-digit',
      timeZoneName: 'short',
    });
    const percents = new Intl.NumberFormat(locale, { style: 'percent', maximumFractionDigits: 1 });
    const numbers = new Intl.NumberFormat(locale);
    const weekdays = new Intl.DateTimeFormat(locale, { weekday: 'short', timeZone: 'UTC' });
    return {
      language,
      setLanguage(next) {
        localStorage.setItem(STORED, next);
        setLanguageState(next);
      },
      t: (key, values = {}) =>
        messages[key].replace(/\{(\w+)\}/g, (whole, name: string) => String(values[name] ?? whole)),
      dateTime: (iso) => dateTimes.format(new Date(iso)),
      percent: (ratio) => percents.format(ratio),
      number: (value) => numbers.format(value),
      timeZone: Intl.DateTimeFormat().resolvedOptions().timeZone,
      // 2024-01-01 was a Monday: day d (1–7, 0 = Sunday) is that Monday plus (d + 6) % 7 days.
      weekday: (day) => weekdays.format(new Date(Date.UTC(2024, 0, 1 + ((day + 6) % 7)))),
    };
  }, [language]);
  return <Context.Provider value={value}>{children}</Context.Provider>;
}

export function useI18n(): I18n {
  const value = useContext(Context);
  if (!value) throw new Error('useI18n outside I18nProvider');
  return value;
}
