import { useI18n } from '../i18n/i18n';
import { href, type Route } from '../router';
import { Contact } from './Contact';
import { Contacts } from './Contacts';
import { Conversions } from './Conversions';
import { Deliveries } from './Deliveries';
import { Funnel } from './Funnel';
import { OpsSettings } from './OpsSettings';

type OpsRoute = Extract<
  Route,
  { screen: 'contacts' | 'contact' | 'deliveries' | 'conversions' | 'funnel' | 'opsSettings' }
>;
const SCREENS: ReadonlyArray<OpsRoute['screen']> = [
  'contacts',
  'contact',
  'deliveries',
  'conversions',
  'funnel',
  'opsSettings',
];

/** The contacts and ops screens' routes, kept here so App.tsx names them once. */
export function isOpsRoute(route: Route): route is OpsRoute {
  return (SCREENS as readonly string[]).includes(route.screen);
}

export function OpsScreen({ route }: { route: OpsRoute }) {
  switch (route.screen) {
    case 'contacts':
      return <Contacts />;
    case 'contact':
      return <Contact key={route.id} id={route.id} />;
    case 'deliveries':
      return <Deliveries />;
    case 'conversions':
      return <Conversions />;
    case 'funnel':
      return <Funnel key={route.key ?? ''} sequenceKey={route.key} />;
    case 'opsSettings':
      return <OpsSettings />;
  }
}

export function OpsNav() {
  const { t } = useI18n();
  return (
    <>
      <a href={href({ screen: 'contacts' })}>{t('nav.contacts')}</a>
      <a href={href({ screen: 'deliveries' })}>{t('nav.deliveries')}</a>
      <a href={href({ screen: 'conversions' })}>{t('nav.conversions')}</a>
      <a href={href({ screen: 'funnel' })}>{t('nav.funnel')}</a>
      <a href={href({ screen: 'opsSettings' })}>{t('nav.opsSettings')}</a>
    </>
  );
}
