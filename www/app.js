// The demo page: four steps, each in its own module, around one EventsClient.
import { setupConnection } from './js/connection.js';
import { setupCreate } from './js/create.js';
import { setupQuery } from './js/query.js';
import { setupDelete } from './js/delete.js';
import { $ } from './js/dom.js';

/** What the steps share: the client (set by step 1) and a few cross-step hooks. */
const ctx = {
  client: null,
  /** Points the query and delete steps at a collection just created. */
  useCollection(name) {
    $('q-collection').value = name;
    $('d-collection').value = name;
  },
};

setupCreate(ctx);
setupQuery(ctx);
setupDelete(ctx);
window.demoReady = true;
$('boot').remove();
document.body.dataset.ready = 'true';
await setupConnection(ctx);
