// Home page: notes list/add and chat, all through the backend behind /api/.
'use strict';

const sessionId = 'web-' + Math.random().toString(36).slice(2, 10);

function text(el, value) { el.textContent = value; }

async function api(path, options) {
  const res = await fetch(path, Object.assign({ headers: { 'content-type': 'application/json' } }, options));
  const body = await res.json().catch(() => ({}));
  if (!res.ok) throw new Error(body.error || 'HTTP ' + res.status);
  return body;
}

async function loadNotes() {
  const list = document.getElementById('notes');
  try {
    const { items } = await api('/api/notes');
    list.replaceChildren(...(items.length ? items : [{ title: 'No notes yet.' }]).map((n) => {
      const li = document.createElement('li');
      text(li, n.title);
      return li;
    }));
  } catch (err) {
    const li = document.createElement('li');
    text(li, 'Notes unavailable: ' + err.message);
    list.replaceChildren(li);
  }
}

document.getElementById('note-form').addEventListener('submit', async (event) => {
  event.preventDefault();
  const input = document.getElementById('note-title');
  try {
    await api('/api/notes', { method: 'POST', body: JSON.stringify({ title: input.value }) });
    input.value = '';
  } catch (err) {
    alert('Could not add note: ' + err.message);
  }
  loadNotes();
});

document.getElementById('chat-form').addEventListener('submit', async (event) => {
  event.preventDefault();
  const input = document.getElementById('chat-message');
  const out = document.getElementById('chat-answer');
  text(out, 'waiting...');
  try {
    const r = await api('/api/chat', { method: 'POST', body: JSON.stringify({ message: input.value, sessionId }) });
    text(out, r.answer + '\n\nsource: ' + r.source + (r.fallbackReason ? ' (' + r.fallbackReason + ')' : ''));
    input.value = '';
  } catch (err) {
    text(out, 'Chat failed: ' + err.message);
  }
});

api('/api/version').then((v) => text(document.getElementById('version'), 'version: ' + v.version)).catch(() => {});
loadNotes();
