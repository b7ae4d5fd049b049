// Step 1: which Events API to talk to, and with which token.
import { EventsClient } from 'genomcore-events-wasm';
import { $, setStatus, FormError } from './dom.js';

/** The hosted environments (the contract's hosts); the emulator is this page's own origin. */
const HOSTED = {
  dev: 'https://events-apidev.genomcore.net/api/v1',
  prod: 'https://events-api.genomcore.net/api/v1',
};
const emulatorBase = () => `${location.origin}/api/v1`;
const isLoopback = (host) => host === 'localhost' || host === '[::1]' || /^127\./.test(host);

/** The emulator's demo account: it accepts any non-empty username, password and organization. */
const DEMO_LOGIN = { username: 'demo', password: 'demo', organizationId: 'demo-org' };

export function setupConnection(ctx) {
  const env = $('env');
  const baseUrl = $('base-url');
  const token = $('token');
  const status = $('connection-status');
  const button = $('connect');
  let refreshToken;

  ctx.client = null;
  ctx.requireClient = () => {
    if (!ctx.client) {
      $('connection').scrollIntoView({ behavior: 'smooth', block: 'start' });
      throw new FormError('Connect first (step 1).');
    }
    return ctx.client;
  };

  function defaultsFor(name) {
    baseUrl.value = name === 'emulator' ? emulatorBase() : HOSTED[name];
    button.textContent = name === 'emulator' ? 'Sign in again' : 'Connect';
  }

  async function signInToEmulator() {
    const url = `${baseUrl.value.replace(/\/+$/, '')}/auth/login`;
    let answer;
    try {
      answer = await fetch(url, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify(DEMO_LOGIN),
      });
    } catch (e) {
      throw new Error(`cannot reach ${url} (${e.message}). Is the emulator running? Start it with make demo.`);
    }
    if (!answer.ok) throw new Error(`the emulator's login answered ${answer.status}; is ${baseUrl.value} the emulator?`);
    const body = await answer.json();
    token.value = body.token;
    refreshToken = body.refreshToken;
  }

  async function connect() {
    const name = env.value;
    ctx.client = null;
    button.disabled = true;
    setStatus(status, 'busy', name === 'emulator' ? 'Signing in to the emulator…' : 'Connecting…');
    try {
      if (name === 'emulator') {
        await signInToEmulator();
      } else {
        refreshToken = undefined;
        if (!token.value.trim()) throw new FormError(`Paste an access token for Genomcore ${name}, then press Connect.`);
      }
      const base = baseUrl.value.trim();
      const options = { token: token.value.trim() };
      if (refreshToken) options.refreshToken = refreshToken;
      if (name === 'emulator') {
        options.baseUrl = base;
        // The emulator speaks plain http; the client refuses that for non-loopback hosts unless told.
        const url = new URL(base);
        if (url.protocol === 'http:' && !isLoopback(url.hostname)) options.allowInsecureHttp = true;
      } else {
        options.env = name;
        if (base && base !== HOSTED[name]) options.baseUrl = base;
      }
      ctx.client = new EventsClient(options);
      const who = name === 'emulator' ? ` · signed in as ${DEMO_LOGIN.username}` : '';
      setStatus(status, 'ok', `Connected to ${ctx.client.baseUrl}${who}${expiryText(options.token)}`);
      ctx.env = name;
    } catch (e) {
      setStatus(status, 'error', e instanceof FormError ? e.message : `Not connected: ${e.message}`);
      if (name !== 'emulator') token.focus();
    } finally {
      button.disabled = false;
    }
  }

  env.addEventListener('change', () => {
    defaultsFor(env.value);
    token.value = '';
    refreshToken = undefined;
    ctx.client = null;
    if (env.value === 'emulator') {
      connect();
    } else {
      setStatus(status, 'idle', `Paste a token for Genomcore ${env.value}, then press Connect.`);
      token.focus();
    }
  });
  $('connect-form').addEventListener('submit', (e) => {
    e.preventDefault();
    connect();
  });
  // Disabled in the page until now: Enter before this point must not submit the form.
  button.disabled = false;

  // The page is normally served by the emulator itself: sign in right away.
  const servedOverHttp = location.protocol === 'http:' || location.protocol === 'https:';
  env.value = servedOverHttp ? 'emulator' : 'prod';
  defaultsFor(env.value);
  if (servedOverHttp) return connect();
  setStatus(status, 'idle', 'Paste a token, then press Connect.');
}

/** " · token valid until 14:05" from the JWT's exp claim, when it has one. */
function expiryText(jwt) {
  try {
    const payload = JSON.parse(atob(jwt.split('.')[1].replace(/-/g, '+').replace(/_/g, '/')));
    if (typeof payload.exp !== 'number') return '';
    const when = new Date(payload.exp * 1000);
    if (when < new Date()) return ' · this token has expired';
    return ` · token valid until ${when.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' })}`;
  } catch {
    return '';
  }
}
