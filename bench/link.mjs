// An emulated network link between a client and the emulator, for the benchmarks: a TCP
// proxy on loopback whose two directions each behave as one shared pipe of `upMbps` /
// `downMbps` (every connection's bytes queue for the same bandwidth, as on a clinic's
// uplink), plus `rttMs / 2` of delay each way. Bytes are released in order, each piece
// when the pipe has carried the ones before it, then delivered after the delay.
//
// It only ever listens on and connects to loopback addresses.
import net from 'node:net';

/** One direction of the link: a shared serializing pipe plus a propagation delay. */
class Pipe {
  constructor(mbps, delayMs) {
    this.bytesPerMs = (mbps * 1e6) / 8 / 1000;
    this.delayMs = delayMs;
    this.freeAt = 0; // when the pipe has sent everything queued so far (ms, performance.now())
    this.bytes = 0;
  }

  /** When `n` bytes queued now will have crossed the link (ms, performance.now()). */
  schedule(n) {
    const now = performance.now();
    this.freeAt = Math.max(this.freeAt, now) + n / this.bytesPerMs;
    this.bytes += n;
    return this.freeAt + this.delayMs;
  }
}

/**
 * Starts the link in front of `target` (`host:port`); resolves `{ origin, up, down,
 * close() }` where `up`/`down` count the bytes carried each way.
 */
export async function startLink(target, { upMbps = 50, downMbps = 50, rttMs = 40 } = {}) {
  const [host, port] = [target.slice(0, target.lastIndexOf(':')), Number(target.slice(target.lastIndexOf(':') + 1))];
  if (!/^(127\.\d+\.\d+\.\d+|localhost|\[::1\])$/.test(host)) throw new Error(`the link only reaches loopback, not ${host}`);
  const up = new Pipe(upMbps, rttMs / 2);
  const down = new Pipe(downMbps, rttMs / 2);
  const sockets = new Set();
  const server = net.createServer((client) => {
    const upstream = net.connect(port, host);
    for (const s of [client, upstream]) {
      s.setNoDelay(true);
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
      s.on('error', () => {
        client.destroy();
        upstream.destroy();
      });
    }
    // Each direction keeps its order: pieces wait in a queue and leave from its head
    // once due. Timers alone would not keep it: a timer counts from the event loop's
    // cached clock, which lags performance.now() during a long task, so two pieces
    // queued in one busy task could fire out of order (that corrupted a request once).
    const carry = (from, to, pipe) => {
      const queue = [];
      let ended = false;
      let retry = null;
      const flush = () => {
        const now = performance.now();
        while (queue.length > 0 && queue[0].at <= now) {
          const { piece } = queue.shift();
          if (!to.destroyed) to.write(piece);
        }
        if (queue.length > 0 && retry === null) {
          // The head's own timer fired early (see above): look again when it is due.
          retry = setTimeout(() => {
            retry = null;
            flush();
          }, Math.max(1, queue[0].at - now));
        }
        if (ended && queue.length === 0) to.end();
      };
      from.on('data', (piece) => {
        const at = pipe.schedule(piece.length);
        queue.push({ piece, at });
        setTimeout(flush, Math.max(0, at - performance.now()));
      });
      from.on('end', () => {
        ended = true;
        if (queue.length === 0) to.end();
      });
    };
    carry(client, upstream, up);
    carry(upstream, client, down);
  });
  await new Promise((res) => server.listen(0, '127.0.0.1', res));
  return {
    origin: `http://127.0.0.1:${server.address().port}`,
    up,
    down,
    close: () =>
      new Promise((res) => {
        for (const s of sockets) s.destroy();
        server.close(() => res());
      }),
  };
}

/**
 * Measures the link itself: `mb` megabytes POSTed through it to a local sink server;
 * resolves `{ seconds, expected }` (expected: mb × 8 / upMbps, plus one round trip).
 */
export async function measureLink({ mb = 10, upMbps = 50, downMbps = 50, rttMs = 40 } = {}) {
  const http = await import('node:http');
  const sink = http.createServer((req, res) => {
    req.on('data', () => {});
    req.on('end', () => res.end('ok'));
  });
  await new Promise((res) => sink.listen(0, '127.0.0.1', res));
  const link = await startLink(`127.0.0.1:${sink.address().port}`, { upMbps, downMbps, rttMs });
  const body = new Uint8Array(mb * 1e6);
  const started = performance.now();
  const r = await fetch(`${link.origin}/`, { method: 'POST', body });
  await r.text();
  const seconds = (performance.now() - started) / 1000;
  await link.close();
  await new Promise((res) => sink.close(res));
  return { seconds, expected: (mb * 8) / upMbps + rttMs / 1000 };
}
