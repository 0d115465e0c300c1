// Web Client: the ticket list, a ticket's history (how each mail was encrypted and signed, the
// per-recipient report of sent mail, received HTML in a sandboxed iframe, text as text, the
// internal notes of workflows) and the Ticket Email Editor with its recipient chips and the Send
// encrypted checkbox.
'use strict';

const client = (() => {
  const { h, clear, field, alertBox, date, fingerprint, table } = dom;

  // docs/api.md: a message's direction is "in" (received) or "out" (sent).
  function isSent(m) {
    return m.direction === 'out';
  }

  function lock(label) {
    return h('img.lock', { src: 'lock.svg', alt: label || 'encrypted', width: '14', height: '14' });
  }

  async function tickets(main) {
    clear(main).append(app.pageHeader('Tickets'));
    const rows = api.list(await api.get('/api/tickets'), 'tickets');
    const pending = [];
    main.append(table('Tickets', ['Number', 'Subject', 'Customer', 'Status', 'Last change'], rows.map((t) => {
      const subject = h('td', h('a', { href: `#/tickets/${encodeURIComponent(t.number)}` }, t.subject || '(no subject)'));
      if (t.encrypted) subject.append(' ', lock('its mail was encrypted'));
      else if (t.encrypted === undefined) pending.push([t.number, subject]);
      return h('tr',
        h('td.nowrap', h('a', { href: `#/tickets/${encodeURIComponent(t.number)}` }, String(t.number))),
        subject, h('td', t.customer || ''), h('td', h('span.badge.neutral', t.status || '')),
        h('td.nowrap', date(t.updated)));
    }), 'No tickets yet.'));
    // The list answer does not say whether a ticket's mail was encrypted: ask each ticket (the
    // first 50) until it does.
    await Promise.all(pending.slice(0, 50).map(async ([number, cell]) => {
      try {
        const t = await api.get(`/api/tickets/${encodeURIComponent(number)}`);
        if ((t.messages || []).some((m) => m.encrypted)) cell.append(' ', lock('its mail was encrypted'));
      } catch (e) {
        // The row stays without a lock; the ticket view says more.
      }
    }));
  }

  // Whether the Ticket Email Editor offers "Send encrypted" (GET /api/editor): only when
  // mail.encryption and the page customization mailEncryptionAvailable are both true, and then
  // checked by default. Asked each time the editor opens, so a switch applies at once.
  async function encryptionOffer() {
    const e = await api.get('/api/editor');
    return { offered: Boolean(e.encryption_available), checked: e.encrypt_default !== false };
  }

  async function ticket(main, number) {
    const t = await api.get(`/api/tickets/${encodeURIComponent(number)}`);
    const write = h('button.primary', { type: 'button' }, 'Write email');
    clear(main).append(
      h('p.breadcrumb', h('a', { href: '#/tickets' }, 'Tickets'), ` › Ticket ${t.number}`),
      app.pageHeader(`${t.subject || '(no subject)'}`, write),
      dom.details([['Ticket', String(t.number)], ['Customer', t.customer], ['Status', t.status],
        ['Last change', date(t.updated)]]),
      h('h2', 'History'),
      h('ol.history', history(t).map((node) => h('li', node))));
    write.addEventListener('click', async () => {
      try {
        editor(t, await encryptionOffer(), () => ticket(main, number));
      } catch (e) {
        const box = alertBox();
        main.prepend(box);
        box.show(e.message);
      }
    });
  }

  // The mails in the server's order, each internal note (a workflow's workflowAPI.addNote, never
  // sent) after the last mail dated no later than it. A received mail's date is the sender's
  // claim, so the mails themselves are never reordered by it.
  function history(t) {
    const messages = t.messages || [];
    const after = messages.map(() => []);
    const first = [];
    for (const n of t.notes || []) {
      const at = Date.parse(n.at);
      let pos = -1;
      messages.forEach((m, i) => { if (Date.parse(m.date) <= at) pos = i; });
      (pos < 0 ? first : after[pos]).push(note(n));
    }
    return [...first, ...messages.flatMap((m, i) => [message(m), ...after[i]])];
  }

  function note(n) {
    return h('article.note', { 'aria-label': `Note by ${n.author} ${date(n.at)}` },
      h('header.message-head', h('div.who', h('span.direction', 'Note'), ' by ', h('strong', n.author || '')),
        h('div.when', date(n.at))),
      h('p.note-text', n.text || ''));
  }

  function signatureLine(s) {
    if (!s) return h('span.badge.neutral', 'not signed');
    if (!s.valid) {
      return h('span.badge.bad', `invalid signature${s.signer ? ` of ${s.signer}` : ''}${s.problem ? `: ${s.problem}` : ''}`);
    }
    if (!s.matches_from) {
      return h('span.badge.bad', `signed by ${s.signer || s.signer_subject}, who is not the sender (From)`);
    }
    return h('span.badge.good', { title: s.signer_sha256 ? `SHA-256 ${s.signer_sha256}` : null },
      `valid signature of ${s.signer}${s.trusted ? '' : ' (issuer not trusted)'}`);
  }

  function encryptionLine(m) {
    const sent = isSent(m);
    if (!m.encrypted || !m.encryption) {
      return h('span.badge.neutral', sent ? 'sent unencrypted' : 'received unencrypted');
    }
    const e = m.encryption;
    const key = sent ? (e.certificates || []) : (e.certificate ? [e.certificate] : []);
    return h('span.crypto', lock(''), h('span', `${sent ? 'Sent' : 'Received'} encrypted`),
      e.cipher ? h('span.detail', ` with ${e.cipher}${e.integrity_protected ? ' (authenticated)' : ''}${key.length ? ';' : ''}`) : null,
      key.length ? h('span.detail', [sent ? ' to keys ' : ' opened with key ', key.map((k, i) => [i ? ', ' : '', fingerprint(k)])]) : null,
      e.mixed_parts ? h('span.badge.warn', 'some parts were not encrypted') : null);
  }

  function reportTable(recipients, caption) {
    return table(caption || 'Per-recipient report', ['Recipient', 'Field', 'Outcome', 'Certificate'],
      (recipients || []).map((r) => h('tr', h('td', r.address), h('td', String(r.kind || '').toUpperCase()),
        h('td', h(`span.badge.${String(r.outcome).startsWith('encrypted') ? 'good' : (String(r.outcome).startsWith('rejected') ? 'bad' : 'warn')}`, r.outcome)),
        h('td', r.certificate ? [fingerprint(r.certificate.fingerprint_sha256),
          ` from ${r.certificate.source}`, r.certificate.not_after ? `, valid to ${dom.day(r.certificate.not_after)}` : ''] : ''))));
  }

  // Links of the sanitised HTML, read from an inert document (DOMParser runs no script and
  // loads nothing); each opens only after a click that shows its whole target.
  function linksOf(html) {
    if (!html) return [];
    const doc = new DOMParser().parseFromString(html, 'text/html');
    const seen = new Set();
    const out = [];
    for (const a of doc.querySelectorAll('a[href]')) {
      const href = a.getAttribute('href');
      if (!/^(https?:|mailto:)/i.test(href) || seen.has(href)) continue;
      seen.add(href);
      out.push({ href, text: (a.textContent || '').trim() });
    }
    return out;
  }

  // The server's list of targets (docs/api.md "links"), with the text the mail shows for each.
  function linksFrom(targets, html) {
    const shown = new Map(linksOf(html).map((l) => [l.href, l.text]));
    return targets.filter((href) => /^(https?:|mailto:)/i.test(href)).map((href) => ({ href, text: shown.get(href) || '' }));
  }

  function openLink(link) {
    const go = h('button.primary', { type: 'submit' }, 'Open link');
    const cancel = h('button', { type: 'button' }, 'Cancel');
    const form = h('form', { method: 'dialog' },
      h('p', 'This link leaves casecrypt and opens in a new tab:'),
      h('p.mono.break.target', link.href),
      link.text && link.text !== link.href ? h('p.hint', `The mail shows it as “${link.text}”.`) : null,
      h('div.form-actions', cancel, go));
    const node = dom.dialog('Open link?', form);
    cancel.addEventListener('click', () => node.close());
    go.addEventListener('click', () => window.open(link.href, '_blank', 'noopener,noreferrer'));
    cancel.focus();
  }

  function message(m) {
    const sent = isSent(m);
    const body = [];
    const hasHtml = Boolean(m.html && m.html_url);
    if (hasHtml) {
      body.push(h('iframe.mail-html', { sandbox: '', src: m.html_url,
        title: `HTML part of “${m.subject || ''}”`, referrerpolicy: 'no-referrer' }));
      const links = Array.isArray(m.links) ? linksFrom(m.links, m.html) : linksOf(m.html);
      if (links.length) {
        body.push(h('div.links', h('h4', 'Links in this mail'), h('ul', links.map((l) => h('li',
          h('span.mono.break', l.href), ' ',
          h('button.link-button', { type: 'button', onclick: () => openLink(l) }, 'Open…'))))));
      }
    }
    if (m.text && !hasHtml) body.push(h('pre.mail-text', m.text));
    else if (m.text) body.push(h('details', h('summary', 'Plain text part'), h('pre.mail-text', m.text)));
    if (!m.text && !m.html) body.push(h('p.hint', '(no text)'));
    const attachments = (m.attachments || []).filter((a) => !a.inline);
    return h(`article.message.${sent ? 'sent' : 'received'}`, { 'aria-label': `${sent ? 'Sent' : 'Received'} ${date(m.date)}` },
      h('header.message-head',
        h('div.who', h('span.direction', sent ? 'Sent' : 'Received'), ' ', h('strong', m.from || ''),
          ' → ', [].concat(m.to || []).join(', '), m.cc && m.cc.length ? ` (Cc ${m.cc.join(', ')})` : ''),
        h('div.when', date(m.date))),
      h('div.subject', m.subject || ''),
      h('div.security', encryptionLine(m), ' ', sent ? null : signatureLine(m.signature)),
      body,
      attachments.length ? h('ul.attachments', attachments.map((a) => h('li',
        h('a', { href: a.url || `/api/attachments/${encodeURIComponent(a.id)}`, download: a.name || 'attachment' }, a.name || 'attachment'),
        ` (${a.type || ''}, ${dom.size(a.size)})`))) : null,
      m.report ? h('div.report', h('h4', 'Report'), reportTable(m.report, `Report of “${m.subject || ''}”`)) : null,
      (m.notes || []).length ? h('ul.notes', m.notes.map((n) => h('li', n))) : null);
  }

  // --- Ticket Email Editor -------------------------------------------------------------------

  function addresses(text) {
    return String(text).split(/[,;]/).map((s) => s.trim()).filter(Boolean);
  }

  function bareAddress(entry) {
    const m = /<([^<>]+)>\s*$/.exec(entry);
    return (m ? m[1] : entry).trim();
  }

  function chipFor(address, r) {
    if (r && r.certificate) {
      const c = r.certificate;
      const from = { server: 'our own address', store: 'store', ldap: 'LDAP' }[r.source] || r.source;
      return h('li.chip.good', h('span.chip-address', address),
        ` certificate from ${from}, valid until ${dom.day(c.not_after)}`);
    }
    const why = r ? (r.reason || r.error || 'no certificate') : 'checking…';
    const text = !r || /no certificate/i.test(why) ? why : `no certificate: ${why}`;
    return h(`li.chip.${r ? 'bad' : 'neutral'}`, h('span.chip-address', address), ` ${text}`);
  }

  const resolveCache = new Map();
  async function resolve(address) {
    if (!resolveCache.has(address)) {
      resolveCache.set(address, api.get(`/api/certificates/resolve?address=${encodeURIComponent(address)}`)
        .catch((e) => ({ error: e.message })));
      setTimeout(() => resolveCache.delete(address), 30000);
    }
    return resolveCache.get(address);
  }

  // An address field with a live list of chips under it (one per address).
  function recipientField(label, initial) {
    const input = h('input', { type: 'text', value: initial || '', autocomplete: 'off', spellcheck: 'false' });
    const chips = h('ul.chips', { 'aria-live': 'polite', 'aria-label': `Certificates for ${label}` });
    let timer = null;
    let round = 0;
    async function update() {
      round += 1;
      const mine = round;
      const list = addresses(input.value).map(bareAddress).filter((a) => /^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(a));
      dom.append(clear(chips), [list.map((a) => chipFor(a, null))]);
      const answers = await Promise.all(list.map(resolve));
      if (mine !== round) return;
      dom.append(clear(chips), [list.map((a, i) => chipFor(a, answers[i]))]);
    }
    input.addEventListener('input', () => {
      clearTimeout(timer);
      timer = setTimeout(update, 350);
    });
    if (initial) update();
    const wrap = field(label, input);
    wrap.append(chips);
    wrap.input = input;
    return wrap;
  }

  function replySubject(t) {
    const subject = t.subject || '';
    const tag = `Ticket (${t.number})`;
    return subject.includes(tag) ? (subject.startsWith('Re:') ? subject : `Re: ${subject}`) : `Re: ${subject} [${tag}]`;
  }

  function editor(t, offer, reloadHistory) {
    const last = [...(t.messages || [])].reverse().find((m) => !isSent(m));
    const to = recipientField('To', last ? last.from : (t.customer || ''));
    const cc = recipientField('Cc', '');
    const bcc = recipientField('Bcc', '');
    const subject = h('input', { type: 'text', value: replySubject(t) });
    const text = h('textarea', { rows: '8' });
    const files = h('input', { type: 'file', multiple: true });
    const encrypt = offer.offered ? h('input', { type: 'checkbox', checked: offer.checked, id: dom.uid('encrypt') }) : null;
    const error = alertBox();
    const result = h('div.send-result', { role: 'status' });
    const send = h('button.primary', { type: 'submit' }, 'Send');
    const cancel = h('button', { type: 'button' }, 'Close');
    const form = h('form.editor-form', { novalidate: true },
      h('div.grid-3', to, cc, bcc),
      field('Subject', subject, `Keep “Ticket (${t.number})” in the subject so the answer comes back to this ticket.`),
      field('Text', text),
      field('Attachments', files),
      encrypt ? h('div.field.check', encrypt, h('label', { for: encrypt.id }, 'Send encrypted')) : null,
      error, result,
      h('div.form-actions', cancel, send));
    const node = dom.dialog('Ticket Email Editor', form, 'editor');
    cancel.addEventListener('click', () => node.close());
    form.addEventListener('submit', async (event) => {
      event.preventDefault();
      error.show('');
      clear(result);
      const mail = { to: addresses(to.input.value), cc: addresses(cc.input.value), bcc: addresses(bcc.input.value),
        subject: subject.value, text: text.value };
      if (!mail.to.length && !mail.cc.length && !mail.bcc.length) return error.show('Add at least one recipient.');
      if (encrypt) mail.encrypt = encrypt.checked;
      let body = mail;
      if (files.files.length) {
        body = new FormData();
        for (const key of ['to', 'cc', 'bcc']) for (const a of mail[key]) body.append(key, a);
        body.append('subject', mail.subject);
        body.append('text', mail.text);
        if (encrypt) body.append('encrypt', encrypt.checked ? 'true' : 'false');
        for (const f of files.files) body.append('files', f, f.name);
      }
      send.disabled = true;
      try {
        const report = await api.post(`/api/tickets/${encodeURIComponent(t.number)}/mails`, body)
          .catch((e) => {
            // A refusal (a recipient without a certificate under the reject policy) is a
            // report too: show who.
            if (e.data && Array.isArray(e.data.recipients)) return e.data;
            throw e;
          });
        const sentence = report.decision || report.sentence || (report.encrypted ? 'Sent encrypted.' : 'Sent.');
        result.append(h('p', h(`span.badge.${report.rejected ? 'bad' : (report.encrypted ? 'good' : 'warn')}`,
          report.rejected ? 'not sent' : (report.encrypted ? 'sent encrypted' : 'sent unencrypted')), ' ', sentence),
        reportTable(report.recipients, 'What happened to each recipient'));
        if (report.delivery_error) result.append(h('p.hint', `Delivery will be tried again: ${report.delivery_error}`));
        if (!report.rejected) send.hidden = true;
        reloadHistory();
      } catch (e) {
        error.show(e.message);
      } finally {
        send.disabled = false;
      }
    });
    text.focus();
  }

  return { tickets, ticket };
})();
