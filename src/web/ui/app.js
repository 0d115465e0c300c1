// The single-page app: session, login (and the forced password change), the navigation and the
// hash routes. Admin Tool pages are in admin-*.js, the Web Client in client.js.
'use strict';

const app = (() => {
  const { h, clear, field, alertBox } = dom;
  let session = null;  // {login, role, csrf_token, must_change_password}

  const adminNav = [
    { group: 'Email', items: [
      ['server-certificates', 'Server Certificates'],
      ['client-certificates', 'Client Certificates'],
      ['mailboxes', 'Mailboxes'],
      ['outbox', 'Outbox'],
      ['backups', 'Email Backups'],
    ] },
    { group: 'Automation', items: [
      ['workflows', 'Workflows'],
    ] },
    { group: 'System', items: [
      ['properties', 'System Properties'],
      ['page-customization', 'Page Customization'],
      ['users', 'Users'],
      ['audit', 'Audit Log'],
    ] },
  ];

  const adminPages = {
    'server-certificates': (main) => adminCertificates.render(main, 'server'),
    'client-certificates': (main) => adminCertificates.render(main, 'client'),
    mailboxes: (main) => admin.mailboxes(main),
    outbox: (main) => admin.outbox(main),
    backups: (main) => admin.backups(main),
    properties: (main) => admin.properties(main),
    'page-customization': (main) => admin.pageCustomization(main),
    users: (main) => admin.users(main),
    audit: (main) => admin.audit(main),
    workflows: (main, rest) => adminWorkflows.render(main, rest),
    'new-workflow': (main) => adminWorkflows.create(main),
  };
  // Pages below another one in the navigation.
  const navParent = { 'new-workflow': 'workflows' };

  const main = () => document.getElementById('main');
  const isAdmin = () => session && session.role === 'admin';

  function buildSideNav(active) {
    const nav = document.getElementById('side-nav');
    clear(nav);
    for (const group of adminNav) {
      const headingId = `nav-${group.group.toLowerCase()}`;
      nav.append(h('h2.nav-group', { id: headingId }, group.group),
        h('ul', { 'aria-labelledby': headingId }, group.items.map(([route, title]) => h('li',
          h('a', { href: `#/admin/${route}`, 'aria-current': route === active ? 'page' : null },
            title)))));
    }
    nav.hidden = false;
  }

  function showChrome(area) {
    document.getElementById('account').hidden = !session;
    document.getElementById('areas').hidden = !session;
    document.getElementById('area-admin').hidden = !isAdmin();
    document.getElementById('account-name').textContent = session
      ? `${session.login} (${session.role})` : '';
    for (const id of ['area-client', 'area-admin']) {
      const link = document.getElementById(id);
      if ((id === 'area-admin') === (area === 'admin') && area) link.setAttribute('aria-current', 'page');
      else link.removeAttribute('aria-current');
    }
    document.getElementById('layout').classList.toggle('with-side', area === 'admin');
    if (area !== 'admin') document.getElementById('side-nav').hidden = true;
  }

  function setTitle(text) {
    document.title = `${text} · casecrypt`;
  }

  // A page heading with optional actions on the right.
  function pageHeader(title, ...actions) {
    setTitle(title);
    return h('div.page-header', h('h1', { tabindex: '-1' }, title), h('div.actions', actions));
  }

  async function route() {
    const hash = window.location.hash || '#/';
    if (!hash.startsWith('#/')) return;  // the skip link's #main
    if (!session) {
      try {
        session = await api.get('/api/session');
        api.setCsrf(session.csrf_token);
      } catch (e) {
        session = null;
      }
    }
    if (!session) return renderLogin();
    if (session.must_change_password) return renderPasswordChange();
    const path = hash.slice(1).split('/').filter(Boolean);
    const target = main();
    clear(target);
    target.setAttribute('aria-busy', 'true');
    try {
      if (path[0] === 'admin' && isAdmin()) {
        const page = adminPages[path[1]] ? path[1] : 'server-certificates';
        showChrome('admin');
        buildSideNav(navParent[page] || page);
        await adminPages[page](target, path.slice(2));
      } else if (path[0] === 'tickets' && path[1]) {
        showChrome('client');
        await client.ticket(target, path[1]);
      } else {
        showChrome('client');
        await client.tickets(target);
      }
    } catch (e) {
      const box = alertBox();
      target.append(box);
      box.show(e.message);
    }
    target.setAttribute('aria-busy', 'false');
    const heading = target.querySelector('h1');
    if (heading && document.activeElement === document.body) heading.focus();
  }

  function renderLogin(message) {
    showChrome(null);
    setTitle('Log in');
    const target = clear(main());
    const login = h('input', { type: 'text', name: 'login', autocomplete: 'username', required: true });
    const password = h('input', { type: 'password', name: 'password', autocomplete: 'current-password', required: true });
    const error = alertBox();
    const form = h('form.card.login', { novalidate: true },
      h('h1', 'Log in to casecrypt'),
      error,
      field('Login', login),
      field('Password', password),
      h('div.form-actions', h('button.primary', { type: 'submit' }, 'Log in')));
    form.addEventListener('submit', async (event) => {
      event.preventDefault();
      error.show('');
      if (!login.value || !password.value) return error.show('Enter your login and your password.');
      try {
        const answer = await api.post('/api/session', { login: login.value, password: password.value });
        session = Object.assign({ login: login.value }, answer);
        api.setCsrf(session.csrf_token);
        password.value = '';
        if (!session.must_change_password && window.location.hash.startsWith('#/')) {
          route();
        } else if (session.must_change_password) {
          renderPasswordChange();
        } else {
          window.location.hash = '#/';
        }
      } catch (e) {
        error.show(e.message);
        password.select();
      }
    });
    target.append(form);
    if (message) error.show(message);
    login.focus();
  }

  function renderPasswordChange() {
    showChrome(null);
    document.getElementById('account').hidden = false;
    setTitle('Choose a new password');
    const target = clear(main());
    const next = h('input', { type: 'password', autocomplete: 'new-password', required: true });
    const again = h('input', { type: 'password', autocomplete: 'new-password', required: true });
    const error = alertBox();
    const form = h('form.card.login', { novalidate: true },
      h('h1', 'Choose a new password'),
      h('p', 'The password you logged in with can be used only once. Choose your own password to go on.'),
      error,
      field('New password', next, 'At least 12 characters.'),
      field('Repeat the new password', again),
      h('div.form-actions', h('button.primary', { type: 'submit' }, 'Change password')));
    form.addEventListener('submit', async (event) => {
      event.preventDefault();
      error.show('');
      if (!next.value) return error.show('Enter a new password.');
      if (next.value !== again.value) return error.show('The two new passwords differ.');
      try {
        // Right after a login that must change the password, the server needs no current one.
        await api.put('/api/session/password', { new_password: next.value });
        session.must_change_password = false;
        window.location.hash = isAdmin() ? '#/admin/server-certificates' : '#/tickets';
        route();
      } catch (e) {
        error.show(e.message);
      }
    });
    target.append(form);
    next.focus();
  }

  async function logout() {
    try {
      await api.del('/api/session');
    } catch (e) {
      // The session may be gone already; the login page is the answer either way.
    }
    session = null;
    api.setCsrf('');
    // One login form: the hash change renders it, or (already at #/) this call does.
    if (window.location.hash === '#/' || window.location.hash === '') renderLogin();
    else window.location.hash = '#/';
  }

  function start() {
    document.getElementById('logout').addEventListener('click', logout);
    window.addEventListener('hashchange', route);
    window.addEventListener('casecrypt:logged-out', () => {
      if (!session) return;  // several answers of one page may say so; one login form
      session = null;
      renderLogin('Your session has ended. Log in again.');
    });
    route();
  }

  return { start, pageHeader, setTitle, session: () => session, isAdmin, route };
})();

app.start();
