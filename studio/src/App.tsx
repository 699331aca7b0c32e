import { LANGUAGES, type Language, useI18n } from './i18n/i18n';
import { NewSequence } from './screens/NewSequence';
import { Sequence } from './screens/Sequence';
import { Sequences } from './screens/Sequences';
import { SignIn } from './screens/SignIn';
import { isLibraryRoute, LibraryNav, LibraryScreen } from './screens/LibraryRoutes';
import { isOpsRoute, OpsNav, OpsScreen } from './screens/OpsRoutes';
import { href, useRoute } from './router';
import { session, useSession } from './session';

function Header({ signedIn }: { signedIn: boolean }) {
  const { t, language, setLanguage, timeZone } = useI18n();
  return (
    <header className="top">
      <a className="skip" href="#main">
        {t('app.skip')}
      </a>
      <a className="brand" href={href({ screen: 'sequences' })}>
        {t('app.name')}
      </a>
      {signedIn && (
        <nav aria-label={t('app.nav')}>
          <a href={href({ screen: 'sequences' })}>{t('nav.sequences')}</a>
          <LibraryNav />
          <OpsNav />
        </nav>
      )}
      <div className="top-tools">
        <span className="zone">{t('app.timesIn', { zone: timeZone })}</span>
        <label className="language">
          <span>{t('app.language')}</span>
          <select value={language} onChange={(event) => setLanguage(event.target.value as Language)}>
            {Object.entries(LANGUAGES).map(([code, name]) => (
              <option key={code} value={code} lang={code}>
                {name}
              </option>
            ))}
          </select>
        </label>
        {signedIn && (
          <button type="button" id="sign-out" onClick={session.signOut}>
            {t('app.signOut')}
          </button>
        )}
      </div>
    </header>
  );
}

export function App() {
  const { key, notice } = useSession();
  const route = useRoute();
  const signedIn = key !== null;
  return (
    <>
      <Header signedIn={signedIn} />
      <main id="main" tabIndex={-1}>
        {!signedIn ? (
          <SignIn notice={notice} />
        ) : route.screen === 'sequence' ? (
          <Sequence key={route.key} sequenceKey={route.key} edit={route.edit} />
        ) : route.screen === 'new' ? (
          <NewSequence />
        ) : isLibraryRoute(route) ? (
          <LibraryScreen route={route} />
        ) : isOpsRoute(route) ? (
          <OpsScreen route={route} />
        ) : (
          <Sequences />
        )}
      </main>
    </>
  );
}
