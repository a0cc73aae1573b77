// keyfleet's dashboard: plain browser JavaScript, no build step. Reads the admin API every POLL_MS with
// the admin token in an Authorization header; the token lives in this tab's sessionStorage only.
'use strict';

const POLL_MS = 2000;
const TOKEN_KEY = 'keyfleet-admin-token';
const $ = (selector) => document.querySelector(selector);
let timer = null;

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === undefined || value === null) continue;
    if (name === 'class') node.className = value;
    else node.setAttribute(name, value);
  }
  for (const child of children.flat()) node.append(child instanceof Node ? child : String(child ?? ''));
  return node;
}

const svg = (tag, attrs) => {
  const node = document.createElementNS('http://www.w3.org/2000/svg', tag);
  for (const [name, value] of Object.entries(attrs)) node.setAttribute(name, value);
  return node;
};

class Unauthorized extends Error {}

async function api(path) {
  const response = await fetch(`/admin/v1${path}`, {
    headers: { authorization: `Bearer ${sessionStorage.getItem(TOKEN_KEY)}` },
    cache: 'no-store',
  });
  if (response.status === 401) throw new Unauthorized('the admin token was refused');
  if (!response.ok) throw new Error(`${path}: HTTP ${response.status}`);
  return response.json();
}

/** A bar of `used` against `limit` (null: no limit); quota bars turn amber, then red, as they fill. */
function bar(used, limit, name) {
  const share = limit ? Math.min(1, used / limit) : 0;
  const level = name === 'progress' ? 'progress' : share >= 1 ? 'full' : share >= 0.8 ? 'warn' : '';
  const label = limit === null ? `${used}` : `${used} / ${limit}`;
  const fill = el('i');
  fill.style.width = `${(share * 100).toFixed(1)}%`; // CSSOM, which the page's CSP allows (style attributes it does not)
  return el(
    'div',
    { class: `bar ${level}`, 'data-metric': name, 'data-used': used, 'data-limit': limit ?? '' },
    fill,
    el('span', {}, label),
  );
}

/** The last hour of one project × model as a line (requests in the rolling window, sampled). */
function sparkline(points) {
  const box = svg('svg', { class: 'spark', viewBox: '0 0 160 28', preserveAspectRatio: 'none' });
  if (points.length === 0) return box;
  const now = Date.now();
  const max = Math.max(1, ...points.map((p) => p.value));
  const coords = points.map((p) => {
    const x = 160 - ((now - p.at) / 3_600_000) * 160;
    const y = 27 - (p.value / max) * 26;
    return `${Math.max(0, x).toFixed(1)},${y.toFixed(1)}`;
  });
  box.append(svg('polyline', { points: coords.join(' ') }));
  const [x, y] = coords[coords.length - 1].split(',');
  box.append(svg('circle', { cx: x, cy: y, r: 2 })); // now
  return box;
}

function historyOf(history, row) {
  const points = history.samples.flatMap((sample) =>
    sample.rows
      .filter((r) => r.projectId === row.projectId && r.model === row.model)
      .map((r) => ({ at: Date.parse(sample.at), value: r.requests })),
  );
  return [...points, { at: Date.now(), value: row.window.requests }];
}

function renderPool(quota, history) {
  const rows = quota.quota.map((row) =>
    el(
      'tr',
      { 'data-usage': `${row.projectId}|${row.model}` },
      el(
        'td',
        {},
        row.projectName,
        row.blockedUntil ? el('span', { class: 'badge blocked' }, ' blocked') : '',
      ),
      el('td', {}, row.model),
      el('td', {}, bar(row.window.requests, row.limits.rpm, 'rpm')),
      el('td', {}, bar(row.window.tokens, row.limits.tpm, 'tpm')),
      el('td', {}, bar(row.today.requests, row.limits.rpd, 'rpd')),
      el('td', {}, sparkline(historyOf(history, row))),
    ),
  );
  $('#pool tbody').replaceChildren(...rows);
}

function eta(seconds) {
  if (seconds === null || seconds === undefined) return '—';
  if (seconds < 60) return `${Math.round(seconds)} s`;
  if (seconds < 3600) return `${Math.round(seconds / 60)} min`;
  return `${(seconds / 3600).toFixed(1)} h`;
}

function renderBatches(list) {
  const rows = list.batches.map((batch) => {
    const c = batch.counts;
    const done = c.succeeded + c.failed + c.cancelled;
    const count = (name) => el('td', { class: 'num', 'data-count': name }, c[name]);
    return el(
      'tr',
      { 'data-batch': batch.id },
      el('td', { title: batch.id }, batch.displayName ?? batch.id.slice(0, 8)),
      el('td', {}, batch.clientName),
      el('td', {}, batch.model),
      el('td', {}, el('span', { class: `badge ${batch.status}`, 'data-status': '' }, batch.status)),
      el('td', {}, bar(done, c.total, 'progress')),
      count('succeeded'),
      count('failed'),
      count('pending'),
      count('running'),
      count('total'),
      el(
        'td',
        { 'data-eta': batch.etaSeconds ?? '' },
        batch.status === 'completed'
          ? 'done'
          : batch.status === 'paused'
            ? 'paused (budget)'
            : eta(batch.etaSeconds),
      ),
    );
  });
  $('#batches tbody').replaceChildren(...rows);
}

function renderKeys(keys, projects) {
  const names = new Map(projects.projects.map((p) => [p.id, p.name]));
  const rows = keys.keys
    .filter((key) => key.status !== 'revoked')
    .map((key) =>
      el(
        'tr',
        { 'data-key': key.id },
        el('td', {}, names.get(key.projectId) ?? key.projectId),
        el('td', {}, `…${key.lastFour}`),
        el('td', {}, key.type ?? '—'),
        el('td', {}, el('span', { class: `badge ${key.status}` }, key.status)),
        el(
          'td',
          {},
          key.rotationDueAt.slice(0, 10),
          key.overdue ? el('span', { class: 'badge overdue' }, ' overdue') : '',
        ),
      ),
    );
  $('#keys tbody').replaceChildren(...rows);
}

function renderAudit(audit) {
  const items = audit.entries.map((entry) =>
    el(
      'li',
      {},
      el('span', { class: 'muted' }, `${entry.at.replace('T', ' ').slice(0, 19)} `),
      `${entry.actor} · ${entry.action} · ${entry.targetType}${entry.targetId ? ` ${entry.targetId.slice(0, 8)}` : ''}`,
    ),
  );
  $('#audit').replaceChildren(...items);
}

async function refresh() {
  try {
    const [quota, history, batches, keys, projects, audit] = await Promise.all([
      api('/quota'),
      api('/quota/history'),
      api('/batches?limit=20'),
      api('/keys'),
      api('/projects'),
      api('/audit?limit=15'),
    ]);
    renderPool(quota, history);
    renderBatches(batches);
    renderKeys(keys, projects);
    renderAudit(audit);
    $('#status').textContent = `updated ${new Date().toLocaleTimeString()}`;
    $('#status').className = 'muted';
  } catch (error) {
    if (error instanceof Unauthorized) return signOut(error.message);
    $('#status').textContent = `update failed: ${error.message}`;
    $('#status').className = 'error';
  }
}

function showBoard() {
  $('#login').hidden = true;
  $('#board').hidden = false;
  $('#sign-out').hidden = false;
  void refresh();
  timer = setInterval(refresh, POLL_MS);
}

function signOut(message = '') {
  clearInterval(timer);
  sessionStorage.removeItem(TOKEN_KEY);
  $('#board').hidden = true;
  $('#sign-out').hidden = true;
  $('#login').hidden = false;
  $('#login-error').textContent = message;
  $('#status').textContent = 'not signed in';
}

document.addEventListener('DOMContentLoaded', () => {
  $('#login').addEventListener('submit', (event) => {
    event.preventDefault();
    sessionStorage.setItem(TOKEN_KEY, $('#token').value);
    $('#token').value = '';
    showBoard();
  });
  $('#sign-out').addEventListener('click', () => signOut());
  if (sessionStorage.getItem(TOKEN_KEY)) showBoard();
  else signOut();
});
