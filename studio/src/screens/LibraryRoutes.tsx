import { useI18n } from '../i18n/i18n';
import { href, type Route } from '../router';
import { SegmentEditor } from './SegmentEditor';
import { Segments } from './Segments';
import { TemplateEditor } from './TemplateEditor';
import { Templates } from './Templates';

/** Helper T's screens: templates and segments, the parts sequences are built from. */
type LibraryRoute = Extract<Route, { screen: 'templates' | 'template' | 'segments' | 'segment' }>;

export function isLibraryRoute(route: Route): route is LibraryRoute {
  return ['templates', 'template', 'segments', 'segment'].includes(route.screen);
}

export function LibraryNav() {
  const { t } = useI18n();
  return (
    <>
      <a href={href({ screen: 'templates' })}>{t('nav.templates')}</a>
      <a href={href({ screen: 'segments' })}>{t('nav.segments')}</a>
    </>
  );
}

export function LibraryScreen({ route }: { route: LibraryRoute }) {
  switch (route.screen) {
    case 'templates':
      return <Templates />;
    case 'template':
      return <TemplateEditor key={route.key ?? ''} templateKey={route.key} />;
    case 'segments':
      return <Segments />;
    case 'segment':
      return <SegmentEditor key={route.key ?? ''} segmentKey={route.key} />;
  }
}
