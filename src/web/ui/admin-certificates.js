// Admin Tool, navigation group Email: Server Certificates (our identities, PKCS #12 with the
// private key) and Client Certificates (recipients' public certificates). A list with a filter
// by address, Add (a file picker, and the password for PKCS #12) in a dialog that keeps what was
// typed and shows the validator's sentence when the file is refused, details and Remove.
'use strict';

const adminCertificates = (() => {
  const { h, clear, field, alertBox, day, date, fingerprint, table, button } = dom;
  const DAY_MS = 24 * 60 * 60 * 1000;

  // The status as words: colour only repeats what the text says.
  function status(c) {
    const now = Date.now();
    const from = Date.parse(c.not_before);
    const to = Date.parse(c.not_after);
    if (c.status === 'expired' || (!Number.isNaN(to) && to < now)) return ['expired', 'bad'];
    if (c.status === 'not_yet_valid' || (!Number.isNaN(from) && from > now)) return ['not yet valid', 'warn'];
    if (c.status === 'revoked') return ['revoked', 'bad'];
    if (!Number.isNaN(to) && to - now < 30 * DAY_MS) return ['expires within 30 days', 'warn'];
    return ['valid', 'good'];
  }

  function statusBadge(c) {
    const [text, tone] = status(c);
    return h(`span.badge.${tone}`, text);
  }

  function sourceText(c) {
    return { file: 'file', ldap: 'LDAP', harvested: 'harvested from a signed mail' }[c.source] || c.source || '';
  }

  const titles = { server: 'Server Certificates', client: 'Client Certificates' };

  async function render(main, kind) {
    const filter = h('input', { type: 'search', placeholder: 'name@example.com', autocomplete: 'off' });
    const error = alertBox();
    const listArea = h('div');
    const addButton = button('Add', () => openAdd(kind, reload), 'primary');
    clear(main).append(
      app.pageHeader(titles[kind], addButton),
      h('p.intro', kind === 'server'
        ? 'Our own mailbox addresses: PKCS #12 files with the private key that decrypts incoming mail.'
        : 'Recipients’ public certificates (X.509, PEM or DER), imported from a file or fetched from LDAP.'),
      h('div.toolbar', field('Filter by address', filter)),
      error,
      listArea);

    let all = [];
    function draw() {
      const needle = filter.value.trim().toLowerCase();
      const rows = all.filter((c) => !needle || (c.addresses || []).some((a) => a.toLowerCase().includes(needle)));
      clear(listArea).append(table(`${titles[kind]}`, ['Addresses', 'Subject', 'Serial', 'Valid from',
        'Valid to', 'Status', 'Key', 'Source', 'Issuer', 'Fingerprint', 'Actions'], rows.map((c) => {
        const who = (c.addresses || []).join(', ');
        return h('tr', h('td.addresses', (c.addresses || []).map((a) => h('div', a))),
          h('td.dn', c.subject), h('td.mono.serial', { title: c.serial }, c.serial),
          h('td.nowrap', day(c.not_before)), h('td.nowrap', day(c.not_after)),
          h('td', statusBadge(c)), h('td.nowrap', c.key), h('td', sourceText(c)),
          h('td.dn', c.issuer), h('td.mono', fingerprint(c.fingerprint_sha256)),
          h('td', h('div.row-actions.vertical',
            h('button', { type: 'button', 'aria-label': `Details of ${who}`, onclick: () => openDetails(c.id) }, 'Details'),
            h('button.danger', { type: 'button', 'aria-label': `Remove ${who}`, onclick: () => remove(c, reload, error) }, 'Remove'))));
      }), needle ? 'No certificate matches this address.' : 'No certificates yet. Use Add to import one.'));
    }
    async function reload() {
      try {
        all = api.list(await api.get(`/api/certificates?kind=${kind}`), 'certificates');
        error.show('');
      } catch (e) {
        error.show(e.message);
      }
      draw();
    }
    filter.addEventListener('input', draw);
    await reload();
  }

  function openAdd(kind, reload) {
    const server = kind === 'server';
    const file = h('input', { type: 'file', name: 'file', required: true,
      accept: server ? '.p12,.pfx,application/x-pkcs12' : '.cer,.crt,.der,.pem,application/pkix-cert' });
    const password = server ? h('input', { type: 'password', name: 'password', autocomplete: 'off' }) : null;
    const error = alertBox();
    const submit = h('button.primary', { type: 'submit' }, 'Import');
    const cancel = h('button', { type: 'button' }, 'Cancel');
    const form = h('form', { novalidate: true },
      h('p', server ? 'A PKCS #12 file (.p12, .pfx) with our private key and certificate.'
        : 'An X.509 certificate file (.cer, .crt, .der, .pem; PEM or DER).'),
      field(server ? 'PKCS #12 file' : 'Certificate file', file),
      password ? field('Password of the PKCS #12 file', password) : null,
      error,
      h('div.form-actions', cancel, submit));
    const node = dom.dialog(server ? 'Add server certificate' : 'Add client certificate', form);
    cancel.addEventListener('click', () => node.close());
    form.addEventListener('submit', async (event) => {
      event.preventDefault();
      error.show('');
      if (!file.files.length) return error.show('Choose a file to import.');
      const body = new FormData();
      body.append('file', file.files[0], file.files[0].name);
      if (password) body.append('password', password.value);
      submit.disabled = true;
      submit.textContent = 'Importing…';
      try {
        await api.post(`/api/certificates/${kind}`, body);
        node.close();
        await reload();
      } catch (e) {
        // The dialog stays open with the file and the password as they were.
        error.show(e.message);
      } finally {
        submit.disabled = false;
        submit.textContent = 'Import';
      }
    });
    file.focus();
  }

  async function openDetails(id) {
    const body = h('div', h('p', 'Loading…'));
    const close = h('button', { type: 'button' }, 'Close');
    const node = dom.dialog('Certificate details', h('div', body, h('div.form-actions', close)), 'wide');
    close.addEventListener('click', () => node.close());
    try {
      const c = await api.get(`/api/certificates/${encodeURIComponent(id)}`);
      const chain = Array.isArray(c.chain) ? c.chain : [];
      clear(body).append(dom.details([
        ['Addresses', (c.addresses || []).join(', ')],
        ['Subject', c.subject],
        ['Issuer', c.issuer],
        ['Serial', c.serial],
        ['Valid from', date(c.not_before)],
        ['Valid to', date(c.not_after)],
        ['Status', statusBadge(c)],
        ['Key', c.key],
        ['Private key', c.has_private_key ? 'held, sealed (never shown)' : 'none'],
        ['SHA-256 fingerprint', h('span.mono.break', c.fingerprint_sha256)],
        ['Source', sourceText(c)],
        [c.source === 'ldap' ? 'Fetched' : 'Imported', [date(c.fetched_at || c.created_at),
          c.created_by ? ` by ${c.created_by}` : '']],
      ]), h('h3', 'Chain'), chain.length
        ? h('ol.chain', chain.map((e) => h('li', h('div', e.subject),
          h('div.hint', `issued by ${e.issuer}; serial ${e.serial}`),
          e.fingerprint_sha256 ? h('div.hint.mono.break', `SHA-256 ${e.fingerprint_sha256}`) : null)))
        : h('p.hint', 'No chain certificates came with it.'));
    } catch (e) {
      const error = alertBox();
      clear(body).append(error);
      error.show(e.message);
    }
  }

  async function remove(c, reload, error) {
    const who = (c.addresses || []).join(', ') || c.subject;
    const ok = await dom.confirm('Remove certificate',
      `Remove the certificate of ${who} (serial ${c.serial})? This cannot be undone.`, 'Remove');
    if (!ok) return;
    try {
      await api.del(`/api/certificates/${encodeURIComponent(c.id)}`);
      await reload();
    } catch (e) {
      error.show(e.message);
    }
  }

  return { render, status };
})();
