// Admin Tool, navigation group Automation: Workflows (docs/workflows.md). The list with each
// workflow's last run, a new-workflow form, and one workflow's page: the script in an editor
// with line numbers whose syntax errors are named, marked at their line and one click away,
// Enable/Disable, Delete, a test run (dry run) that shows what would be sent, and the last runs
// with their outcome, error and log. Scripts are only text here: the server compiles and runs
// them (nothing on this page evaluates code).
'use strict';

const adminWorkflows = (() => {
  const { h, clear, field, alertBox, date, table, button } = dom;

  const EVENTS = [
    ['ticket-created', 'ticket-created: a mail opened a new ticket'],
    ['email-received', 'email-received: a mail was added to a ticket'],
    ['ticket-closed', 'ticket-closed: a ticket was closed'],
    ['ticket-reopened', 'ticket-reopened: a closed ticket was opened again'],
    ['timer', 'timer: every N minutes'],
  ];

  const STARTERS = {
    'ticket-created': [
      '-- Acknowledge a new ticket to the customer.',
      'local mail = Mail.new()',
      'mail:setTo(ticket.customer)',
      'mail:setSubject("Ticket (" .. ticket.number .. ") received")',
      'mail:setText("Thank you for your message. We opened ticket " .. ticket.number .. " for it.")',
      'mail:setAppendToTicket(ticket)',
      'mail:send()',
      'workflowAPI.log("acknowledged ticket " .. ticket.number)',
    ],
    'email-received': [
      '-- React to a mail added to an existing ticket.',
      'workflowAPI.log("ticket " .. ticket.number .. " received a mail")',
    ],
    'ticket-closed': [
      '-- Ask the customer how it went when a ticket is closed.',
      'local mail = Mail.new()',
      'mail:setTo(ticket.customer)',
      'mail:setSubject("Ticket (" .. ticket.number .. ") closed")',
      'mail:setText("Your ticket " .. ticket.number .. " is closed. Answer this mail to reopen it.")',
      'mail:setAppendToTicket(ticket)',
      'mail:send()',
    ],
    'ticket-reopened': [
      '-- Note that a ticket was reopened.',
      'workflowAPI.addNote(ticket, "reopened; please look at it again")',
    ],
    timer: [
      '-- Runs once per period for the whole installation (no ticket).',
      'workflowAPI.log("timer ran at " .. os.date("!%Y-%m-%d %H:%M"))',
    ],
  };

  function starter(event) {
    return `${(STARTERS[event] || STARTERS['ticket-created']).join('\n')}\n`;
  }

  function statusLine() {
    const box = h('p.status-line', { role: 'status' });
    box.say = (text) => { box.textContent = text || ''; };
    return box;
  }

  function outcomeBadge(outcome) {
    const tone = { ok: 'good', failed: 'bad', stopped: 'bad', running: 'warn' }[outcome] || 'neutral';
    return h(`span.badge.${tone}`, outcome || '');
  }

  function period(w) {
    if (w.event !== 'timer') return 'on its event';
    const m = Number(w.every_minutes);
    if (!m) return '';
    if (m % 1440 === 0) return `every ${m / 1440} day${m === 1440 ? '' : 's'}`;
    if (m % 60 === 0) return `every ${m / 60} hour${m === 60 ? '' : 's'}`;
    return `every ${m} minute${m === 1 ? '' : 's'}`;
  }

  function enabledBadge(w) {
    return w.enabled ? h('span.badge.good', 'enabled') : h('span.badge.neutral', 'disabled');
  }

  // What started a run, in words (`withTicket`: and for which ticket).
  function trigger(r, withTicket) {
    const who = r.actor === 'event' || r.actor === 'timer' ? r.event : `run by ${r.actor}`;
    const ticket = withTicket && r.ticket ? `, ticket ${r.ticket}` : '';
    return `${who}${ticket}${r.dry_run ? ' (dry run)' : ''}`;
  }

  // Lua's message without what the page says already: "the script does not compile: " and the
  // "NAME:LINE: " it starts with.
  function plainMessage(error, line) {
    let text = String(error || '').replace(/^the script does not compile: /, '');
    if (line) text = text.replace(new RegExp(`^[^\\s:]*:${line}: `), '');
    return text;
  }

  function errorText(r) {
    if (!r.error) return '';
    return r.line ? `Line ${r.line}: ${plainMessage(r.error, r.line)}` : r.error;
  }

  // --- The script editor: a textarea with a line-number gutter ---------------------------------
  // The gutter and a backdrop behind the (transparent) textarea hold one row per line and
  // follow its scrolling; a syntax error's line is marked in both. No inline style: rows have
  // the textarea's line height from app.css, and scrolling moves them by scrollTop.
  function codeEditor(label, initial, labelHidden) {
    const text = h('textarea.code', { spellcheck: 'false', wrap: 'off', autocomplete: 'off',
      autocapitalize: 'off', rows: '18' });
    text.value = initial || '';
    const gutter = h('div.gutter', { 'aria-hidden': 'true' });
    const backdrop = h('div.backdrop', { 'aria-hidden': 'true' });
    const wrap = h('div.code-editor', gutter, h('div.code-area', backdrop, text));
    let marked = null;
    let shown = 0;

    function lineCount() {
      return text.value.split('\n').length;
    }
    function drawLines() {
      // One row more than the text, so the last line's mark fits when it is empty.
      const n = Math.max(lineCount(), 1);
      if (n !== shown) {
        clear(gutter);
        clear(backdrop);
        for (let i = 1; i <= n; i += 1) {
          gutter.append(h('div.gutter-line', String(i)));
          backdrop.append(h('div.backdrop-line'));
        }
        shown = n;
      }
      for (let i = 0; i < shown; i += 1) {
        const on = marked === i + 1;
        gutter.children[i].classList.toggle('error', on);
        backdrop.children[i].classList.toggle('error', on);
        if (on) gutter.children[i].setAttribute('title', `Error in line ${i + 1}`);
        else gutter.children[i].removeAttribute('title');
      }
      sync();
    }
    function sync() {
      gutter.scrollTop = text.scrollTop;
      backdrop.scrollTop = text.scrollTop;
    }
    // Marks line n (null: none).
    function mark(n) {
      marked = n && n >= 1 ? Math.min(n, lineCount()) : null;
      drawLines();
    }
    // Selects line n and scrolls it into view; `markIt` also marks it (a run's error line).
    function goToLine(n, markIt) {
      const lines = text.value.split('\n');
      const line = Math.max(1, Math.min(n, lines.length));
      let offset = 0;
      for (let i = 0; i < line - 1; i += 1) offset += lines[i].length + 1;
      text.focus();
      text.setSelectionRange(offset, offset + lines[line - 1].length);
      const lineHeight = parseFloat(getComputedStyle(text).lineHeight) || 20;
      text.scrollTop = Math.max(0, (line - 1) * lineHeight - text.clientHeight / 3);
      if (markIt) mark(line);
      sync();
    }
    text.addEventListener('input', drawLines);
    text.addEventListener('scroll', sync);
    if (!text.id) text.id = dom.uid('script');
    const node = h('div.field', h(`label${labelHidden ? '.visually-hidden' : ''}`, { for: text.id }, label), wrap);
    drawLines();
    return { node, text, mark, goToLine, value: () => text.value };
  }

  // The error of a script beside its editor: the sentence naming the line, and a button that
  // puts the cursor there.
  function problemBox(editor) {
    const box = h('div.alert.script-problem', { role: 'alert' });
    box.hidden = true;
    box.show = (problem) => {
      clear(box);
      if (!problem) {
        box.hidden = true;
        editor.mark(null);
        return;
      }
      const line = problem.line || null;
      box.append(h('strong', line ? `Syntax error in line ${line}` : 'The script has an error'),
        h('div.mono.break', plainMessage(problem.error, line)));
      if (line) {
        box.append(h('div', h('button', { type: 'button', onclick: () => editor.goToLine(line) },
          `Go to line ${line}`)));
      }
      box.hidden = false;
      editor.mark(line);
    };
    return box;
  }

  // Check while typing (after a pause) and on the Check button: POST /api/workflows/check.
  function liveCheck(editor, name, problem, status) {
    let timer = null;
    let round = 0;
    async function check() {
      clearTimeout(timer);
      round += 1;
      const mine = round;
      try {
        const r = await api.post('/api/workflows/check', { name: name(), script: editor.value() });
        if (mine !== round) return null;
        if (r.ok) {
          problem.show(null);
          status.say('The script compiles.');
        } else {
          status.say('');
          problem.show(r);
        }
        return r;
      } catch (e) {
        if (mine !== round) return null;
        status.say('');
        problem.show({ error: e.message, line: (e.data && e.data.line) || null });
        return null;
      }
    }
    editor.text.addEventListener('input', () => {
      status.say('');
      clearTimeout(timer);
      timer = setTimeout(check, 700);
    });
    return check;
  }

  // A 422 answer to a save that names the line: shown like the check's.
  function showSaveError(e, problem, error) {
    if (e.status === 422 && e.data && typeof e.data.line === 'number') problem.show(e.data);
    else error.show(e.message);
  }

  // --- Pages -------------------------------------------------------------------------------------

  async function list(main) {
    const error = alertBox();
    const area = h('div');
    clear(main).append(app.pageHeader('Workflows',
      h('a.button.primary', { href: '#/admin/new-workflow' }, 'New workflow')),
    h('p.intro', 'Scripts (Lua) that run when a ticket is opened, gets a mail, is closed or reopened, or every few minutes. Their mail follows the same encryption rules as the Web Client’s. Every change is in the audit log.'),
    error, area);
    const rows = api.list(await api.get('/api/workflows'), 'workflows');
    clear(area).append(table('Workflows', ['Name', 'Event', 'Period', 'State', 'Last run', 'Last change'], rows.map((w) => {
      const r = w.last_run;
      const last = r
        ? [h('div', outcomeBadge(r.outcome), ' ', h('span.nowrap', date(r.finished || r.started))),
          h('div.hint', trigger(r, true)),
          r.error ? h('div.run-error', errorText(r)) : null]
        : h('span.hint', 'never ran');
      return h('tr', h('td', h('a', { href: `#/admin/workflows/${api.enc(w.name)}` }, w.name)),
        h('td.mono.nowrap', w.event), h('td.nowrap', w.event === 'timer' ? period(w) : h('span.hint', period(w))), h('td', enabledBadge(w)),
        h('td.last-run', last),
        h('td', h('span.nowrap', date(w.updated)), w.updated_by ? h('div.hint', `by ${w.updated_by}`) : null));
    }), 'No workflows yet. Use New workflow to write one.'));
  }

  async function create(main) {
    const name = h('input', { type: 'text', required: true, autocomplete: 'off', spellcheck: 'false',
      pattern: '[A-Za-z0-9._\\-]{1,64}' });
    const event = h('select', EVENTS.map(([value, text]) => h('option', { value }, text)));
    const every = h('input.narrow', { type: 'number', min: '1', max: '44640', step: '1', value: '60' });
    const everyField = field('Every (minutes)', every, 'Timer workflows run once per period across every casecrypt serve process.');
    const enabled = h('input', { type: 'checkbox', checked: true, id: dom.uid('enabled') });
    const editor = codeEditor('Script', starter(event.value));
    let starterShown = editor.value();
    const problem = problemBox(editor);
    const error = alertBox();
    const status = statusLine();
    const check = liveCheck(editor, () => name.value || 'script', problem, status);
    const save = h('button.primary', { type: 'submit' }, 'Create workflow');
    event.addEventListener('change', () => {
      everyField.hidden = event.value !== 'timer';
      // The starter follows the event until the script is edited.
      if (editor.value() === starterShown) {
        editor.text.value = starter(event.value);
        starterShown = editor.value();
        editor.text.dispatchEvent(new Event('input'));
      }
    });
    everyField.hidden = true;
    const form = h('form.workflow-form', { novalidate: true },
      h('div.grid-3', field('Name', name, 'Letters, digits, dot, dash and underscore; up to 64.'),
        field('Event', event), everyField),
      h('div.field.check', enabled, h('label', { for: enabled.id }, 'Enabled')),
      h('div.editor-with-problem', editor.node, h('div.problem-side', problem, status,
        h('div.editor-actions', button('Check', () => check()), save))),
      error);
    form.addEventListener('submit', async (e) => {
      e.preventDefault();
      error.show('');
      if (!name.value) return error.show('Give the workflow a name.');
      const body = { name: name.value, event: event.value, script: editor.value(), enabled: enabled.checked };
      if (event.value === 'timer') body.every_minutes = Number(every.value);
      save.disabled = true;
      try {
        const w = await api.post('/api/workflows', body);
        window.location.hash = `#/admin/workflows/${api.enc(w.name)}`;
      } catch (err) {
        showSaveError(err, problem, error);
      } finally {
        save.disabled = false;
      }
    });
    clear(main).append(h('p.breadcrumb', h('a', { href: '#/admin/workflows' }, 'Workflows'), ' › New workflow'),
      app.pageHeader('New workflow'),
      h('p.intro', 'The script is compiled before it is saved; a syntax error is shown with its line.'),
      form);
    name.focus();
  }

  function reportBlock(report) {
    const recipients = report.recipients || [];
    const tone = report.rejected ? 'bad' : (report.encrypted ? 'good' : 'warn');
    const word = report.rejected ? 'would not be sent' : (report.encrypted ? 'encrypted' : 'unencrypted');
    return h('div.would-send', h('p', h(`span.badge.${tone}`, word), ' ', report.decision || ''),
      table('Recipients', ['Recipient', 'Field', 'Outcome'], recipients.map((r) => [r.address,
        String(r.kind || '').toUpperCase(), r.outcome]), 'No recipients.'));
  }

  function runResult(r) {
    const reports = r.reports || [];
    return h('div.run-result',
      h('p', outcomeBadge(r.outcome), ' ', r.dry_run ? 'Dry run: nothing was sent and no ticket changed.' : 'Run.',
        ` ${r.mails} mail${r.mails === 1 ? '' : 's'} ${r.dry_run ? 'would be sent' : 'sent'}.`),
      r.error ? h('div.run-error', errorText(r)) : null,
      reports.length ? [h('h3', 'What it would send'), reports.map(reportBlock)] : null,
      h('h3', 'Log'), logBlock(r.log));
  }

  function logBlock(lines) {
    return (lines || []).length ? h('pre.run-log', lines.join('\n')) : h('p.hint', 'No log lines.');
  }

  function runsTable(runs, editor) {
    return table('Last runs', ['Started', 'Trigger', 'Ticket', 'Outcome', 'Mails', 'Error and log'], runs.map((r) => h('tr',
      h('td.nowrap', date(r.started)), h('td', trigger(r)),
      h('td', r.ticket ? h('a', { href: `#/tickets/${api.enc(r.ticket)}` }, String(r.ticket)) : ''),
      h('td', outcomeBadge(r.outcome)), h('td', String(r.mails ?? '')),
      h('td.run-detail',
        r.error ? h('div.run-error', errorText(r),
          r.line && editor ? [' ', h('button.link-button', { type: 'button', onclick: () => editor.goToLine(r.line, true) }, `Go to line ${r.line}`)] : null) : null,
        (r.log || []).length ? h('details', h('summary', `Log (${r.log.length} line${r.log.length === 1 ? '' : 's'})`), logBlock(r.log)) : null))),
    'No runs yet.');
  }

  async function show(main, name) {
    const w = await api.get(`/api/workflows/${api.enc(name)}`);
    const error = alertBox();
    const status = statusLine();
    const toggle = button(w.enabled ? 'Disable' : 'Enable', async () => {
      error.show('');
      try {
        await api.post(`/api/workflows/${api.enc(w.name)}/${w.enabled ? 'disable' : 'enable'}`);
        await show(main, name);
      } catch (e) {
        error.show(e.message);
      }
    });
    const remove = button('Delete', async () => {
      if (!await dom.confirm('Delete workflow', `Delete the workflow ${w.name} and the record of its runs? This cannot be undone.`, 'Delete')) return;
      try {
        await api.del(`/api/workflows/${api.enc(w.name)}`);
        window.location.hash = '#/admin/workflows';
      } catch (e) {
        error.show(e.message);
      }
    }, 'danger');

    const editor = codeEditor('Script', w.script, true);
    const problem = problemBox(editor);
    const saved = statusLine();
    const check = liveCheck(editor, () => w.name, problem, saved);
    const every = w.event === 'timer'
      ? h('input.narrow', { type: 'number', min: '1', max: '44640', step: '1', value: String(w.every_minutes || '') })
      : null;
    const save = h('button.primary', { type: 'submit' }, 'Save');
    const form = h('form.workflow-form', { novalidate: true },
      every ? field('Every (minutes)', every, 'Saved with the script.') : null,
      h('div.editor-with-problem', editor.node, h('div.problem-side', problem, saved,
        h('div.editor-actions', button('Check', () => check()), save))));
    form.addEventListener('submit', async (e) => {
      e.preventDefault();
      error.show('');
      saved.say('');
      const body = { script: editor.value() };
      if (every) body.every_minutes = Number(every.value);
      save.disabled = true;
      try {
        await api.put(`/api/workflows/${api.enc(w.name)}`, body);
        problem.show(null);
        saved.say('Saved.');
      } catch (err) {
        showSaveError(err, problem, error);
      } finally {
        save.disabled = false;
      }
    });

    const ticket = h('input.narrow', { type: 'number', min: '1', step: '1' });
    const runError = alertBox();
    const result = h('div', { role: 'status' });
    const runButton = h('button', { type: 'submit' }, 'Test run (dry run)');
    const runForm = h('form.run-form', { novalidate: true },
      h('p.hint', 'Runs the saved script now as its event would, for this ticket; a dry run decides every mail (recipients, encrypted or not) and sends none, and changes no ticket.'),
      h('div.inline-fields', w.event === 'timer' ? null : field('Ticket number', ticket), runButton),
      runError, result);
    runForm.addEventListener('submit', async (e) => {
      e.preventDefault();
      runError.show('');
      clear(result);
      const body = { dry_run: true };
      if (w.event !== 'timer') {
        if (!ticket.value) return runError.show('Give the number of a ticket to run it for.');
        body.ticket = Number(ticket.value);
      }
      runButton.disabled = true;
      try {
        const r = await api.post(`/api/workflows/${api.enc(w.name)}/run`, body);
        result.append(runResult(r));
        await reloadRuns();
      } catch (err) {
        runError.show(err.message);
      } finally {
        runButton.disabled = false;
      }
    });

    const runsArea = h('div', runsTable(w.runs || [], editor));
    async function reloadRuns() {
      const runs = api.list(await api.get(`/api/workflows/${api.enc(w.name)}/runs?limit=10`), 'runs');
      clear(runsArea).append(runsTable(runs, editor));
    }

    clear(main).append(h('p.breadcrumb', h('a', { href: '#/admin/workflows' }, 'Workflows'), ` › ${w.name}`),
      app.pageHeader(w.name, toggle, remove),
      error, status,
      dom.details([['Event', h('span.mono', w.event)], ['Period', w.event === 'timer' ? period(w) : ''],
        ['Next run', w.event === 'timer' ? date(w.next_run) : ''], ['State', enabledBadge(w)],
        ['Last change', [date(w.updated), w.updated_by ? ` by ${w.updated_by}` : '']]]),
      h('h2', every ? 'Period and script' : 'Script'), form,
      h('h2', 'Test run'), runForm,
      h('h2', 'Last runs'), runsArea);
  }

  async function render(main, rest) {
    if (rest && rest[0]) return show(main, decodeURIComponent(rest[0]));
    return list(main);
  }

  return { render, create, codeEditor };
})();
