/** The unsubscribe page in the contact's language (ru, ro, else en). Static text only: nothing from the contact is shown. */
const TEXT = {
  en: {
    title: 'Unsubscribe',
    ask: 'Do you want to stop receiving these emails?',
    button: 'Unsubscribe',
    done: 'You are unsubscribed. You will not receive these emails any more.',
  },
  ru: {
    title: 'Отписка',
    ask: 'Вы хотите отписаться от этих писем?',
    button: 'Отписаться',
    done: 'Вы отписались. Больше мы не будем присылать эти письма.',
  },
  ro: {
    title: 'Dezabonare',
    ask: 'Doriți să nu mai primiți aceste e-mailuri?',
    button: 'Dezabonare',
    done: 'V-ați dezabonat. Nu veți mai primi aceste e-mailuri.',
  },
} as const;

export type PageLanguage = keyof typeof TEXT;

export function pageLanguage(locale: string | null | undefined): PageLanguage {
  const language = (locale ?? '').toLowerCase().split('-')[0];
  return language === 'ru' || language === 'ro' ? language : 'en';
}

/**
 * The language of the browser asking (Accept-Language, first of ru/ro/en it names), for a page that must
 * not use anything of the contact's: the link of an erased contact.
 */
export function browserLanguage(acceptLanguage: string | undefined): PageLanguage {
  for (const range of (acceptLanguage ?? '').split(',')) {
    const language = range.trim().split(';')[0].toLowerCase().split('-')[0];
    if (language === 'ru' || language === 'ro' || language === 'en') return language;
  }
  return 'en';
}

export function unsubscribePage(language: PageLanguage, done: boolean): string {
  const text = TEXT[language];
  const body = done
    ? `<p>${text.done}</p>`
    : `<p>${text.ask}</p><form method="post"><button type="submit">${text.button}</button></form>`;
  return `<!doctype html><html lang="${language}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${text.title}</title><style>body{font-family:Arial,Helvetica,sans-serif;max-width:480px;margin:48px auto;padding:0 16px;color:#1f2328}button{background:#2563eb;color:#fff;border:0;border-radius:6px;padding:12px 20px;font-size:16px;cursor:pointer}</style></head><body><h1>${text.title}</h1>${body}</body></html>`;
}
