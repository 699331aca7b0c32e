/**
 * The pages a contact sees at /u/:token, in their language: the question, the confirmation, and the pages for a
 * link that is damaged, that leads nowhere, or that cannot be served now. Static text only: nothing from the
 * contact or the request is shown, so nothing needs escaping and nothing personal is on the page.
 */
interface PageText {
  title: string;
  body: string;
}

interface Texts {
  ask: PageText & { button: string };
  done: PageText;
  invalid: PageText;
  unknown: PageText;
  unavailable: PageText;
}

const TEXT = {
  en: {
    ask: { title: 'Unsubscribe', body: 'Do you want to stop receiving these emails?', button: 'Unsubscribe' },
    done: { title: 'Unsubscribe', body: 'You are unsubscribed. You will not receive these emails any more.' },
    invalid: {
      title: 'This link does not work',
      body:
        'This unsubscribe link is not valid: it may have been cut or changed on its way to you. To stop receiving ' +
        'our emails, open the unsubscribe link of our latest email in full, or reply to that email and ask us.',
    },
    unknown: {
      title: 'Subscription not found',
      body:
        'We could not find the subscription this link belongs to; it may be out of date. To stop receiving our ' +
        'emails, use the unsubscribe link of our latest email, or reply to that email and ask us.',
    },
    unavailable: {
      title: 'Please try again',
      body: 'Something went wrong on our side and nothing was changed. Please try again in a few minutes.',
    },
  },
  ru: {
    ask: { title: 'Отписка', body: 'Вы хотите отписаться от этих писем?', button: 'Отписаться' },
    done: { title: 'Отписка', body: 'Вы отписались. Больше мы не будем присылать эти письма.' },
    invalid: {
      title: 'Ссылка не работает',
      body:
        'Эта ссылка для отписки недействительна: возможно, она была обрезана или изменена. Чтобы больше не ' +
        'получать наши письма, откройте полностью ссылку для отписки из нашего последнего письма или ответьте ' +
        'на него с просьбой вас отписать.',
    },
    unknown: {
      title: 'Подписка не найдена',
      body:
        'Мы не нашли подписку, к которой относится эта ссылка: возможно, она устарела. Чтобы больше не получать ' +
        'наши письма, воспользуйтесь ссылкой для отписки из нашего последнего письма или ответьте на него.',
    },
    unavailable: {
      title: 'Попробуйте ещё раз',
      body: 'У нас что-то пошло не так, ничего не изменилось. Пожалуйста, попробуйте ещё раз через несколько минут.',
    },
  },
  ro: {
    ask: { title: 'Dezabonare', body: 'Doriți să nu mai primiți aceste e-mailuri?', button: 'Dezabonare' },
    done: { title: 'Dezabonare', body: 'V-ați dezabonat. Nu veți mai primi aceste e-mailuri.' },
    invalid: {
      title: 'Acest link nu funcționează',
      body:
        'Acest link de dezabonare nu este valid: poate a fost tăiat sau modificat pe drum. Pentru a nu mai primi ' +
        'e-mailurile noastre, deschideți integral linkul de dezabonare din cel mai recent e-mail al nostru sau ' +
        'răspundeți la acel e-mail și cereți-ne dezabonarea.',
    },
    unknown: {
      title: 'Abonamentul nu a fost găsit',
      body:
        'Nu am găsit abonamentul căruia îi aparține acest link; poate este vechi. Pentru a nu mai primi ' +
        'e-mailurile noastre, folosiți linkul de dezabonare din cel mai recent e-mail al nostru sau răspundeți ' +
        'la acel e-mail.',
    },
    unavailable: {
      title: 'Încercați din nou',
      body: 'Ceva nu a mers bine la noi și nu s-a schimbat nimic. Vă rugăm să încercați din nou peste câteva minute.',
    },
  },
} satisfies Record<string, Texts>;

export type PageLanguage = keyof typeof TEXT;
export type PageKind = keyof Texts;

const LANGUAGES = Object.keys(TEXT) as PageLanguage[];

/** The page language for a BCP 47 tag: the tag itself, else its language part, else undefined. */
function match(tag: string): PageLanguage | undefined {
  const lower = tag.trim().toLowerCase();
  const exact = LANGUAGES.find((language) => language === lower);
  return exact ?? LANGUAGES.find((language) => language === lower.split(/[-_]/)[0]);
}

/** The contact's locale (`ro-MD` → ro), falling back to its language part, then English. */
export function pageLanguage(locale: string | null | undefined): PageLanguage {
  return match(locale ?? '') ?? 'en';
}

/**
 * The browser's preference (Accept-Language, by quality, ties in the order given) among the pages' languages,
 * for a page that knows no contact: a damaged or unknown link, or an erased contact's.
 */
export function browserLanguage(acceptLanguage: string | undefined): PageLanguage {
  const ranges = (acceptLanguage ?? '')
    .split(',')
    .map((range, index) => {
      const [tag, ...parameters] = range.split(';');
      const q = parameters.map((parameter) => /^\s*q\s*=\s*([\d.]+)\s*$/.exec(parameter)?.[1]).find(Boolean);
      return { tag: tag.trim(), q: q === undefined ? 1 : Number(q), index };
    })
    .filter((range) => range.tag !== '' && range.q > 0)
    .sort((a, b) => b.q - a.q || a.index - b.index);
  for (const range of ranges) {
    const language = match(range.tag);
    if (language) return language;
  }
  return 'en';
}

export function unsubscribePage(language: PageLanguage, kind: PageKind): string {
  const texts: Texts = TEXT[language];
  const text = texts[kind];
  const body =
    kind === 'ask'
      ? `<p>${text.body}</p><form method="post"><button type="submit">${texts.ask.button}</button></form>`
      : `<p>${text.body}</p>`;
  return `<!doctype html><html lang="${language}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><meta name="robots" content="noindex"><title>${text.title}</title><style>body{font-family:Arial,Helvetica,sans-serif;max-width:480px;margin:48px auto;padding:0 16px;color:#1f2328;line-height:1.5}button{background:#2563eb;color:#fff;border:0;border-radius:6px;padding:12px 20px;font-size:16px;cursor:pointer}</style></head><body><h1>${text.title}</h1>${body}</body></html>`;
}
