// Step 4: deleteEvents(collection), after an explicit confirmation.
import { $, el, plural, FormError } from './dom.js';
import { showError } from './errors.js';

export function setupDelete(ctx) {
  const form = $('delete-form');
  const input = $('d-collection');
  const confirm = $('delete-confirm');
  const text = $('delete-confirm-text');
  const yes = $('delete-yes');
  const no = $('delete-no');
  const ask = $('delete-ask');
  const result = $('delete-result');
  let pending = null;

  const close = () => { confirm.hidden = true; pending = null; ask.disabled = false; };

  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    result.replaceChildren();
    const name = input.value.trim();
    let client;
    try {
      client = ctx.requireClient();
      if (!name) { input.focus(); throw new FormError('Name the collection to delete.'); }
    } catch (err) {
      showError(result, err);
      return;
    }
    pending = name;
    ask.disabled = true;
    text.replaceChildren(`Delete every event of the collection `, el('strong', {}, name), '? This cannot be undone.');
    confirm.hidden = false;
    yes.focus();
    // Say how many events that is (one event per page is enough to read the total).
    try {
      const { total } = await client.queryEvents({ filter: { collection: name } }, { pageSize: 1 });
      if (pending === name) {
        text.replaceChildren(`Delete ${plural(total, 'event')} of the collection `, el('strong', {}, name), '? This cannot be undone.');
      }
    } catch {
      // The count is a courtesy; the delete itself reports its own errors.
    }
  });

  no.addEventListener('click', () => { close(); ask.focus(); });
  input.addEventListener('input', () => { if (pending) close(); });
  confirm.addEventListener('keydown', (e) => { if (e.key === 'Escape') { close(); ask.focus(); } });

  yes.addEventListener('click', async () => {
    const name = pending;
    if (!name) return;
    yes.disabled = no.disabled = true;
    try {
      const { deleted } = await ctx.requireClient().deleteEvents(name);
      result.className = 'result ok';
      result.replaceChildren(
        el('h3', {}, `Deleted ${plural(deleted, 'event')}`),
        el('p', {}, 'From the collection ', el('strong', {}, name), '. ',
          el('code', {}, `await client.deleteEvents(${JSON.stringify(name)})`), ` → { deleted: ${deleted} }`),
      );
      await ctx.refreshQuery?.();
    } catch (err) {
      showError(result, err, { what: 'deleteEvents' });
    } finally {
      yes.disabled = no.disabled = false;
      close();
      ask.focus();
    }
  });
}
