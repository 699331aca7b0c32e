// The dashboard: a static page that reads the admin API with the key the user typed (kept in this tab's
// sessionStorage, sent as a bearer header, never in a cookie — so there is nothing for CSRF to ride on).
// Every value from the API is put into the page with textContent, never as HTML.
const view = document.getElementById('view');
const login = document.getElementById('login');
const logout = document.getElementById('logout');

function el(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (name === 'class') node.className = value;
    else if (name === 'style') Object.assign(node.style, value);
    else node.setAttribute(name, value);
  }
  for (const child of children.flat())
    node.append(child instanceof Node ? child : document.createTextNode(String(child ?? '')));
  return node;
}

async function api(path) {
  const response = await fetch(path, {
    headers: { Authorization: `Bearer ${sessionStorage.getItem('touchpoint-key')}` },
  });
  if (response.status === 401) {
    sessionStorage.removeItem('touchpoint-key');
    showLogin('The key was not accepted.');
    throw new Error('unauthorized');
  }
  if (!response.ok) throw new Error(`${response.status} ${path}`);
  return response.json();
}

function showLogin(message = '') {
  login.hidden = false;
  logout.hidden = true;
  view.replaceChildren();
  document.getElementById('login-error').textContent = message;
}

login.addEventListener('submit', async (event) => {
  event.preventDefault();
  sessionStorage.setItem('touchpoint-key', document.getElementById('key').value.trim());
  try {
    await api('/v1/sequences?limit=1');
    route();
  } catch {
    // showLogin already said why
  }
});
logout.addEventListener('click', () => {
  sessionStorage.removeItem('touchpoint-key');
  showLogin();
});

function status(value) {
  return el('span', { class: `status ${value}` }, value);
}

async function sequencesView() {
  const { items } = await api('/v1/sequences?limit=500');
  const rows = await Promise.all(
    items.map(async (sequence) => {
      const { totals } = await api(`/v1/sequences/${encodeURIComponent(sequence.key)}/funnel`);
      return el(
        'tr',
        {},
        el('td', {}, el('a', { href: `#/sequences/${encodeURIComponent(sequence.key)}` }, sequence.name)),
        el('td', {}, status(sequence.status)),
        el('td', {}, sequence.steps.length),
        el('td', {}, totals.enrolled),
        el('td', {}, totals.active),
        el('td', {}, totals.converted),
        el('td', {}, `${(totals.conversionRate * 100).toFixed(1)}%`),
      );
    }),
  );
  view.replaceChildren(
    el('h1', {}, 'Sequences'),
    el(
      'div',
      { class: 'table-wrap' },
      el(
        'table',
        {},
        el(
          'thead',
          {},
          el(
            'tr',
            {},
            ['Name', 'Status', 'Steps', 'Enrolled', 'Active', 'Converted', 'Conversion'].map((h) => el('th', {}, h)),
          ),
        ),
        el('tbody', {}, rows),
      ),
    ),
  );
}

function calendar(steps) {
  const last = Math.max(1, ...steps.map((step) => step.dayOffset));
  const position = (day) => `${3 + (day / last) * 94}%`;
  const ticks = [...new Set([0, ...steps.map((step) => step.dayOffset)])].map((day) =>
    el('span', { class: 'tick', style: { left: position(day) } }, `day ${day}`),
  );
  const touches = steps.map((step, index) =>
    el(
      'span',
      {
        class: 'touch',
        style: { left: position(step.dayOffset), bottom: `${(index % 3) * 20}px` },
        title: step.template,
      },
      step.key,
    ),
  );
  return el('div', { class: 'calendar', 'aria-label': 'Touchpoint calendar' }, ticks, touches);
}

function funnelChart(funnel) {
  const top = Math.max(1, ...funnel.steps.map((step) => step.reached));
  const bar = (label, value, kind) => [
    el('span', {}, label),
    el('div', {}, el('div', { class: `bar ${kind}`, style: { width: `${(value / top) * 100}%` } })),
    el('span', { class: `value ${kind}` }, value),
  ];
  return el(
    'div',
    { class: 'funnel', id: 'funnel' },
    funnel.steps.map((step) =>
      el(
        'div',
        { class: `step${funnel.biggestDrop?.step === step.key ? ' drop' : ''}`, 'data-step': step.key },
        el('strong', {}, `${step.key} · day ${step.dayOffset}`),
        funnel.biggestDrop?.step === step.key
          ? el('span', { class: 'error' }, ` — biggest drop: ${funnel.biggestDrop.lost} lost after this step`)
          : '',
        el(
          'div',
          { class: 'bars' },
          bar('reached', step.reached, 'reached'),
          bar('sent', step.sent, 'sent'),
          bar('opened', step.opened, 'opened'),
          bar('clicked', step.clicked, 'clicked'),
          bar('converted after', step.convertedAfter, 'converted'),
          bar('lost after', step.unsubscribedAfter + step.droppedAfter, 'lost'),
        ),
      ),
    ),
  );
}

async function sequenceView(key) {
  const [sequence, funnel] = await Promise.all([
    api(`/v1/sequences/${encodeURIComponent(key)}`),
    api(`/v1/sequences/${encodeURIComponent(key)}/funnel`),
  ]);
  const t = funnel.totals;
  view.replaceChildren(
    el('h1', {}, sequence.name, ' ', status(sequence.status)),
    el(
      'div',
      { class: 'totals' },
      [
        ['Enrolled', t.enrolled],
        ['Active', t.active],
        ['Completed', t.completed],
        ['Converted', t.converted],
        ['Unsubscribed', t.unsubscribed],
        ['Bounced', t.bounced],
        ['Exited', t.exited],
        ['Conversion', `${(t.conversionRate * 100).toFixed(1)}%`],
      ].map(([label, value]) => el('div', {}, `${label}: `, el('strong', {}, value))),
    ),
    el('h2', {}, 'Touchpoint calendar'),
    calendar(sequence.steps),
    el('h2', {}, 'Funnel'),
    funnelChart(funnel),
    el('p', {}, el('a', { href: `#/deliveries?sequence=${encodeURIComponent(key)}` }, 'Delivery log of this sequence')),
  );
}

async function deliveriesView(params) {
  const filters = el(
    'form',
    { class: 'filters' },
    ['sequence', 'step', 'contactId'].map((name) =>
      el('label', {}, name, el('input', { name, value: params.get(name) ?? '' })),
    ),
    el(
      'label',
      {},
      'status',
      el(
        'select',
        { name: 'status' },
        ['', 'pending', 'sent', 'retrying', 'failed', 'skipped', 'deferred', 'unknown'].map((s) => {
          const option = el('option', { value: s }, s || 'any');
          if (s === (params.get('status') ?? '')) option.selected = true;
          return option;
        }),
      ),
    ),
    el('button', { type: 'submit' }, 'Filter'),
  );
  filters.addEventListener('submit', (event) => {
    event.preventDefault();
    const query = new URLSearchParams([...new FormData(filters)].filter(([, value]) => value !== ''));
    location.hash = `#/deliveries?${query}`;
  });
  const query = new URLSearchParams([...params].filter(([, value]) => value !== ''));
  query.set('limit', '100');
  const { items } = await api(`/v1/deliveries?${query}`);
  view.replaceChildren(
    el('h1', {}, 'Delivery log'),
    filters,
    el(
      'div',
      { class: 'table-wrap' },
      el(
        'table',
        { id: 'deliveries' },
        el(
          'thead',
          {},
          el(
            'tr',
            {},
            ['When', 'Email', 'Sequence', 'Step', 'Status', 'Reason', 'Attempts'].map((h) => el('th', {}, h)),
          ),
        ),
        el(
          'tbody',
          {},
          items.map((row) =>
            el(
              'tr',
              {},
              el('td', {}, new Date(row.sentAt ?? row.createdAt).toLocaleString()),
              el('td', {}, row.email ?? '(erased)'),
              el('td', {}, row.sequence),
              el('td', {}, row.step),
              el('td', {}, status(row.status)),
              el('td', {}, row.reason ?? ''),
              el('td', {}, row.attempts),
            ),
          ),
        ),
      ),
    ),
  );
}

async function route() {
  if (!sessionStorage.getItem('touchpoint-key')) return showLogin();
  login.hidden = true;
  logout.hidden = false;
  const [path, search] = location.hash.replace(/^#/, '').split('?');
  try {
    if (path.startsWith('/sequences/')) await sequenceView(decodeURIComponent(path.slice('/sequences/'.length)));
    else if (path === '/deliveries') await deliveriesView(new URLSearchParams(search ?? ''));
    else await sequencesView();
  } catch (error) {
    if (error.message !== 'unauthorized')
      view.replaceChildren(el('p', { class: 'error' }, `Could not load: ${error.message}`));
  }
}

window.addEventListener('hashchange', route);
route();
