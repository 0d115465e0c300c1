// Admin Tool pages besides the certificates: System Properties, Page Customization, Mailboxes,
// Outbox, Email Backups, Users and the Audit Log. Each is a table over one API resource; a
// problem is shown in place (the row's own alert, or the page's) in the server's words.
'use strict';

const admin = (() => {
  const { h, clear, field, alertBox, date, size, table, button } = dom;

  function statusLine() {
    const box = h('p.status-line', { role: 'status' });
    box.say = (text) => { box.textContent = text || ''; };
    return box;
  }

  function hiddenLabel(control, text) {
    if (!control.id) control.id = dom.uid('cell');
    return [h('label.visually-hidden', { for: control.id }, text), control];
  }

  // The control for a property type: "boolean", "integer:LO..HI", "string", "secret", "regex",
  // "enum:a|b" (and "mailTemplate"-style booleans of page customizations).
  function controlFor(type, value) {
    const t = String(type || 'string');
    if (t === 'boolean') {
      const box = h('input', { type: 'checkbox', checked: value === true || value === 'true' });
      box.read = () => (box.checked ? 'true' : 'false');
      return box;
    }
    if (t.startsWith('integer')) {
      const m = /^integer:(-?\d+)\.\.(-?\d+)$/.exec(t);
      const input = h('input.narrow', { type: 'number', step: '1', value: String(value ?? ''),
        min: m ? m[1] : null, max: m ? m[2] : null });
      input.read = () => input.value;
      return input;
    }
    if (t.startsWith('enum:')) {
      const select = h('select', t.slice(5).split('|').map((o) => h('option', { value: o, selected: o === value }, o)));
      select.read = () => select.value;
      return select;
    }
    if (t === 'secret') {
      const input = h('input', { type: 'password', autocomplete: 'new-password',
        placeholder: value ? '*** (set; type to replace)' : '(not set)' });
      input.read = () => input.value;
      input.unchanged = () => input.value === '';
      return input;
    }
    const input = h(`input${t === 'regex' ? '.mono' : ''}`, { type: 'text', value: String(value ?? ''),
      spellcheck: t === 'regex' ? 'false' : null });
    input.read = () => input.value;
    return input;
  }

  function shownValue(type, value) {
    return type === 'secret' ? (value ? '***' : '') : String(value ?? '');
  }

  // One editable row: label cells, the control, a Save button and the row's own error.
  function editableRow(cells, type, value, label, save) {
    const control = controlFor(type, value);
    const error = alertBox();
    const saved = statusLine();
    const saveButton = h('button', { type: 'button', 'aria-label': `Save ${label}` }, 'Save');
    saveButton.addEventListener('click', async () => {
      error.show('');
      saved.say('');
      if (control.unchanged && control.unchanged()) return error.show('Type a new value first.');
      saveButton.disabled = true;
      try {
        await save(control.read());
        if (type === 'secret') control.value = '';
        saved.say('Saved.');
      } catch (e) {
        error.show(e.message);
      } finally {
        saveButton.disabled = false;
      }
    });
    control.addEventListener('keydown', (event) => {
      if (event.key === 'Enter') saveButton.click();
    });
    return h('tr', cells.map((c) => h('td', c)),
      h('td.value', h('div.inline', hiddenLabel(control, label), saveButton), saved, error));
  }

  async function properties(main) {
    const error = alertBox();
    clear(main).append(app.pageHeader('System Properties'),
      h('p.intro', 'Switches and settings by module and name. Changes take effect at once and are recorded in the audit log.'),
      error);
    const rows = api.list(await api.get('/api/properties'), 'properties');
    main.append(table('System Properties', ['Module', 'Name', 'Description', 'Value'], rows.map((p) =>
      editableRow([h('span.mono.nowrap', p.module), h('span.mono', p.name),
        [p.description, h('div.hint', `${p.type}; default ${shownValue(p.type, p.default) || '(empty)'}`)]],
      p.type, p.value, `${p.module} ${p.name}`,
      (value) => api.put(`/api/properties/${api.enc(p.module)}/${api.enc(p.name)}`, { value })))));
  }

  async function pageCustomization(main) {
    clear(main).append(app.pageHeader('Page Customization'),
      h('p.intro', 'Attributes of the pages engineers see. mailEncryptionAvailable shows the Send encrypted checkbox in the Ticket Email Editor when mail.encryption is on.'));
    const rows = api.list(await api.get('/api/page-customizations'), 'page_customizations');
    main.append(table('Page Customization', ['Type', 'Name', 'Description', 'Value'], rows.map((p) => {
      const type = p.value_type || (typeof p.value === 'boolean' ? 'boolean' : 'string');
      return editableRow([h('span.mono', p.type), h('span.mono', p.name), p.description || ''],
        type, p.value, `${p.type} ${p.name}`,
        (value) => api.put(`/api/page-customizations/${api.enc(p.type)}/${api.enc(p.name)}`,
          { value: typeof p.value === 'boolean' ? value === 'true' : value }));
    })));
  }

  async function mailboxes(main) {
    const error = alertBox();
    const status = statusLine();
    const area = h('div');
    clear(main).append(app.pageHeader('Mailboxes', button('Add mailbox', () => addMailbox(reload), 'primary')),
      h('p.intro', 'Incoming mail accounts (IMAP, POP3 or a directory) that are fetched every round.'),
      error, status, area);
    async function reload() {
      const rows = api.list(await api.get('/api/accounts'), 'accounts');
      clear(area).append(table('Mailboxes', ['Name', 'URL', 'User', 'Last fetch', 'Last error', 'Actions'],
        rows.map((a) => [a.name, h('span.mono', a.url), a.user || '', date(a.last_fetch) || 'never',
          a.last_error || '', h('div.row-actions',
            h('button', { type: 'button', 'aria-label': `Test connection of ${a.name}`, onclick: async () => {
              error.show('');
              status.say(`Testing ${a.name}…`);
              try {
                const r = await api.post(`/api/accounts/${api.enc(a.name)}/test`);
                status.say(r.ok ? `${a.name}: the connection works (${r.messages} messages waiting).` : '');
                if (!r.ok) error.show(`${a.name}: ${r.error}`);
              } catch (e) {
                status.say('');
                error.show(`${a.name}: ${e.message}`);
              }
            } }, 'Test connection'),
            h('button.danger', { type: 'button', 'aria-label': `Remove ${a.name}`, onclick: async () => {
              if (!await dom.confirm('Remove mailbox', `Remove the mailbox ${a.name}? Mail already fetched stays.`, 'Remove')) return;
              try {
                await api.del(`/api/accounts/${api.enc(a.name)}`);
                await reload();
              } catch (e) {
                error.show(e.message);
              }
            } }, 'Remove'))]), 'No mailboxes.'));
    }
    await reload();
  }

  function addMailbox(reload) {
    const name = h('input', { type: 'text', required: true, autocomplete: 'off' });
    const url = h('input', { type: 'text', required: true, placeholder: 'imaps://mail.example.com/INBOX', autocomplete: 'off' });
    const user = h('input', { type: 'text', autocomplete: 'off' });
    const password = h('input', { type: 'password', autocomplete: 'new-password' });
    const error = alertBox();
    const cancel = h('button', { type: 'button' }, 'Cancel');
    const form = h('form', { novalidate: true }, field('Name', name), field('URL', url,
      'imap://, imaps://, pop3://, pop3s:// or dir:///path'), field('User', user), field('Password', password),
    error, h('div.form-actions', cancel, h('button.primary', { type: 'submit' }, 'Add')));
    const node = dom.dialog('Add mailbox', form);
    cancel.addEventListener('click', () => node.close());
    form.addEventListener('submit', async (event) => {
      event.preventDefault();
      error.show('');
      try {
        const body = { name: name.value, url: url.value };
        if (user.value) body.user = user.value;
        if (password.value) body.password = password.value;
        await api.post('/api/accounts', body);
        node.close();
        await reload();
      } catch (e) {
        error.show(e.message);
      }
    });
    name.focus();
  }

  async function outbox(main) {
    const error = alertBox();
    const status = statusLine();
    const area = h('div');
    clear(main).append(app.pageHeader('Outbox'),
      h('p.intro', 'Every outgoing copy, its delivery state and attempts. Failed or refused copies can be tried again.'),
      error, status, area);
    async function reload() {
      const rows = api.list(await api.get('/api/outbox'), 'outbox');
      clear(area).append(table('Outbox', ['Subject', 'Recipients', 'Encrypted', 'State', 'Attempts', 'Last error', 'Created', 'Actions'],
        rows.map((o) => [o.subject, (o.recipients || []).join(', '), o.encrypted ? 'encrypted' : 'plain',
          h(`span.badge.${o.state === 'sent' ? 'good' : (o.state === 'failed' || o.state === 'rejected' ? 'bad' : 'warn')}`, o.state),
          String(o.attempts ?? ''), o.last_error || '', date(o.created),
          o.state === 'failed' || o.state === 'rejected'
            ? h('button', { type: 'button', 'aria-label': `Retry ${o.subject}`, onclick: async () => {
              error.show('');
              try {
                const r = await api.post(`/api/outbox/${api.enc(o.id)}/retry`);
                status.say(r && r.decision ? r.decision : 'Queued again.');
                await reload();
              } catch (e) {
                error.show(e.message);
              }
            } }, 'Retry') : '']), 'The outbox is empty.'));
    }
    await reload();
  }

  async function backups(main) {
    const error = alertBox();
    const status = statusLine();
    const area = h('div');
    clear(main).append(app.pageHeader('Email Backups'),
      h('p.intro', 'Mail that could not be decrypted or filed, kept with the reason. Fix the cause (for example import the key) and retry.'),
      error, status, area);
    async function reload() {
      const rows = api.list(await api.get('/api/backups'), 'backups');
      clear(area).append(table('Email Backups', ['Subject', 'From', 'Mailbox', 'Cause', 'Size', 'Date', 'Actions'],
        rows.map((b) => [b.subject || '(no subject)', b.from || '', b.mailbox || '', b.cause, h('span.nowrap', size(b.size)), h('span.nowrap', date(b.date)),
          h('div.row-actions',
            h('button', { type: 'button', 'aria-label': `Retry ${b.subject || b.id}`, onclick: async () => {
              error.show('');
              status.say('');
              try {
                const r = await api.post(`/api/backups/${api.enc(b.id)}/retry`);
                if (r.filed) status.say(`“${b.subject || b.id}” was filed into ticket ${r.ticket}.`);
                else error.show(`“${b.subject || b.id}” is still not filed (${r.outcome}): ${r.cause}`);
                await reload();
              } catch (e) {
                error.show(e.message);
              }
            } }, 'Retry'),
            h('a.button', { href: `/api/backups/${api.enc(b.id)}/raw`, download: `backup-${b.id}.eml`,
              'aria-label': `Download raw mail of ${b.subject || b.id}` }, 'Download'),
            h('button.danger', { type: 'button', 'aria-label': `Delete ${b.subject || b.id}`, onclick: async () => {
              if (!await dom.confirm('Delete email backup', `Delete the backup of “${b.subject || b.id}” from ${b.from || 'an unknown sender'}? The mail is gone for good.`, 'Delete')) return;
              try {
                await api.del(`/api/backups/${api.enc(b.id)}`);
                await reload();
              } catch (e) {
                error.show(e.message);
              }
            } }, 'Delete'))]), 'No email backups.'));
    }
    await reload();
  }

  async function users(main) {
    const error = alertBox();
    const status = statusLine();
    const area = h('div');
    clear(main).append(app.pageHeader('Users', button('Add user', () => userDialog(null, reload), 'primary')),
      h('p.intro', 'Admins may do everything; engineers see tickets and send mail only.'),
      error, status, area);
    async function reload() {
      const rows = api.list(await api.get('/api/users'), 'users');
      clear(area).append(table('Users', ['Login', 'Role', 'Created', 'Last login', 'Actions'], rows.map((u) => {
        return [u.login, u.role, [date(u.created), u.created_by ? ` by ${u.created_by}` : ''],
          date(u.last_login) || (u.must_change_password ? 'must change password' : ''),
          h('div.row-actions',
            h('button', { type: 'button', 'aria-label': `Change role of ${u.login}`, onclick: () => roleDialog(u, reload) }, 'Change role'),
            h('button', { type: 'button', 'aria-label': `Set password of ${u.login}`, onclick: () => userDialog(u, reload) }, 'Set password'),
            h('button.danger', { type: 'button', 'aria-label': `Remove ${u.login}`, onclick: async () => {
              if (!await dom.confirm('Remove user', `Remove the user ${u.login}? Their sessions end at once.`, 'Remove')) return;
              try {
                await api.del(`/api/users/${api.enc(u.login)}`);
                await reload();
              } catch (e) {
                error.show(e.message);
              }
            } }, 'Remove'))];
      }), 'No users.'));
    }
    await reload();
  }

  // Make a user an admin or an engineer; the server refuses to leave no admin (its sentence shown).
  function roleDialog(u, reload) {
    const other = u.role === 'admin' ? 'engineer' : 'admin';
    const role = h('select', h('option', { value: other }, other), h('option', { value: u.role }, `${u.role} (now)`));
    const error = alertBox();
    const cancel = h('button', { type: 'button' }, 'Cancel');
    const form = h('form', { novalidate: true }, field(`Role of ${u.login}`, role,
      'Admins may do everything; engineers see tickets and send mail only. It applies from their next request.'),
      error, h('div.form-actions', cancel, h('button.primary', { type: 'submit' }, 'Change role')));
    const node = dom.dialog('Change role', form);
    cancel.addEventListener('click', () => node.close());
    form.addEventListener('submit', async (event) => {
      event.preventDefault();
      error.show('');
      try {
        await api.put(`/api/users/${api.enc(u.login)}/role`, { role: role.value });
        node.close();
        await reload();
      } catch (e) {
        error.show(e.message);
      }
    });
    role.focus();
  }

  // Add a user (u null) or set a user's password.
  function userDialog(u, reload) {
    const login = u ? null : h('input', { type: 'text', required: true, autocomplete: 'off' });
    const role = u ? null : h('select', h('option', { value: 'engineer' }, 'engineer'), h('option', { value: 'admin' }, 'admin'));
    const password = h('input', { type: 'password', required: true, autocomplete: 'new-password' });
    const error = alertBox();
    const cancel = h('button', { type: 'button' }, 'Cancel');
    const form = h('form', { novalidate: true }, login ? field('Login', login) : null, role ? field('Role', role) : null,
      field(u ? `New password for ${u.login}` : 'Password', password, 'They must choose their own at the first login.'),
      error, h('div.form-actions', cancel, h('button.primary', { type: 'submit' }, u ? 'Set password' : 'Add user')));
    const node = dom.dialog(u ? 'Set password' : 'Add user', form);
    cancel.addEventListener('click', () => node.close());
    form.addEventListener('submit', async (event) => {
      event.preventDefault();
      error.show('');
      try {
        if (u) await api.put(`/api/users/${api.enc(u.login)}/password`, { password: password.value });
        else await api.post('/api/users', { login: login.value, role: role.value, password: password.value });
        node.close();
        await reload();
      } catch (e) {
        error.show(e.message);
      }
    });
    (login || password).focus();
  }

  async function audit(main) {
    clear(main).append(app.pageHeader('Audit Log'),
      h('p.intro', 'Who changed which certificate, property, page customization, mailbox, user or workflow, and when (the command line’s changes as the local operator).'));
    const rows = api.list(await api.get('/api/audit'), 'entries');
    main.append(table('Audit Log', ['When', 'Who', 'What', 'Detail'], rows.map((e) => [
      h('span.nowrap', date(e.at)), e.actor, e.action, e.detail || '']), 'Nothing recorded yet.'));
  }

  return { properties, pageCustomization, mailboxes, outbox, backups, users, audit };
})();
