// Small DOM helpers shared by every page. Data from the server only ever reaches the page as
// text (textContent, attribute values): nothing here parses HTML, so a subject, an address or
// a mail body can never become markup.
'use strict';

const dom = (() => {
  // h('tag.class', {attr: value, onclick: fn}, child, ...): one element. Children are nodes,
  // strings (text nodes), arrays of either, or null/false (skipped).
  function h(spec, attrs, ...children) {
    const [tag, ...classes] = spec.split('.');
    const node = document.createElement(tag || 'div');
    if (classes.length) node.className = classes.join(' ');
    if (attrs && (typeof attrs !== 'object' || attrs instanceof Node || Array.isArray(attrs))) {
      children.unshift(attrs);
      attrs = null;
    }
    for (const [key, value] of Object.entries(attrs || {})) {
      if (value === null || value === undefined || value === false) continue;
      if (key.startsWith('on') && typeof value === 'function') {
        node.addEventListener(key.slice(2), value);
      } else if (key === 'text') {
        node.textContent = String(value);
      } else if (key === 'checked' || key === 'value' || key === 'selected') {
        node[key] = value;
      } else {
        node.setAttribute(key, value === true ? '' : String(value));
      }
    }
    append(node, children);
    return node;
  }

  function append(node, children) {
    for (const child of children.flat(Infinity)) {
      if (child === null || child === undefined || child === false) continue;
      node.append(child instanceof Node ? child : document.createTextNode(String(child)));
    }
    return node;
  }

  function clear(node) {
    while (node.firstChild) node.removeChild(node.firstChild);
    return node;
  }

  let idCounter = 0;
  function uid(prefix) {
    idCounter += 1;
    return `${prefix || 'f'}-${idCounter}`;
  }

  // A labelled control: <div class="field"><label for=id>text</label>control hint</div>.
  function field(labelText, control, hint) {
    if (!control.id) control.id = uid('field');
    const parts = [h('label', { for: control.id }, labelText), control];
    if (hint) {
      const hintNode = h('p.hint', { id: `${control.id}-hint` }, hint);
      control.setAttribute('aria-describedby', hintNode.id);
      parts.push(hintNode);
    }
    return h('div.field', parts);
  }

  // An element announced to screen readers; show(text) fills it, show('') hides it.
  function alertBox() {
    const box = h('div.alert', { role: 'alert' });
    box.hidden = true;
    box.show = (text) => {
      box.textContent = text || '';
      box.hidden = !text;
    };
    return box;
  }

  function date(iso) {
    if (!iso) return '';
    return String(iso).replace('T', ' ').replace(/:\d\d(\.\d+)?Z$/, ' UTC').replace(/Z$/, ' UTC');
  }

  function day(iso) {
    return iso ? String(iso).slice(0, 10) : '';
  }

  function size(bytes) {
    if (bytes === null || bytes === undefined) return '';
    if (bytes < 1024) return `${bytes} B`;
    if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
    return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
  }

  // A fingerprint shortened for a table cell; the whole one is in the title and in a
  // visually hidden span for screen readers and copy-paste.
  function fingerprint(hex) {
    if (!hex) return '';
    const text = String(hex);
    const short = text.length > 12 ? `${text.slice(0, 12)}…` : text;
    return h('span.fingerprint', { title: text }, h('span', { 'aria-hidden': 'true' }, short),
      h('span.visually-hidden', text));
  }

  // A table with a caption (visually hidden when asked), header cells and rows of cells.
  function table(caption, headers, rows, emptyText) {
    const body = h('tbody');
    for (const row of rows) body.append(row instanceof Node ? row : h('tr', row.map((c) => h('td', c))));
    if (!rows.length) {
      body.append(h('tr', h('td.empty', { colspan: headers.length }, emptyText || 'Nothing here yet.')));
    }
    return h('div.table-wrap', h('table',
      h('caption.visually-hidden', caption),
      h('thead', h('tr', headers.map((t) => h('th', { scope: 'col' }, t)))),
      body));
  }

  function button(text, onclick, cls) {
    return h(`button${cls ? `.${cls}` : ''}`, { type: 'button', onclick }, text);
  }

  // A modal <dialog> titled `title`; `content` is its body (a form or nodes). The dialog is
  // removed from the page when it closes; Escape closes it (the browser's own behaviour).
  function dialog(title, content, cls) {
    const titleId = uid('dialog-title');
    const node = h(`dialog${cls ? `.${cls}` : ''}`, { 'aria-labelledby': titleId },
      h('h2', { id: titleId }, title), content);
    node.addEventListener('close', () => node.remove());
    document.body.append(node);
    node.showModal();
    return node;
  }

  // Asks before something that cannot be undone; resolves true when confirmed.
  function confirm(title, text, confirmLabel) {
    return new Promise((resolve) => {
      let answer = false;
      const yes = h('button.danger', { type: 'submit' }, confirmLabel);
      const no = h('button', { type: 'button' }, 'Cancel');
      const form = h('form', { method: 'dialog' }, h('p', text), h('div.form-actions', no, yes));
      const node = dialog(title, form, 'confirm');
      yes.addEventListener('click', () => { answer = true; });
      no.addEventListener('click', () => node.close());
      node.addEventListener('close', () => resolve(answer));
      no.focus();
    });
  }

  // A description list of [term, value] pairs (values: text or nodes; empty ones skipped).
  function details(pairs) {
    return h('dl.details', pairs.filter(([, v]) => v !== null && v !== undefined && v !== '')
      .map(([term, value]) => [h('dt', term), h('dd', value)]));
  }

  return { h, append, clear, uid, field, alertBox, date, day, size, fingerprint, table, button,
    dialog, confirm, details };
})();
