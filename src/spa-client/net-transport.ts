// The real SpaTransport on node:dns, node:dgram and node:net. Resolution and
// datagrams are the knock client's (no native modules either way); TCP here
// completes the handshake and carries the packet, as fwknop's `-P tcp` and
// `-P http` do (connect(), send(), close()).
import net from 'node:net';
import { netIO } from '../client/net-io.js';
import type { Resolved, SpaTransport } from './transport.js';

/** How long a TCP connect plus write may take before the send counts as failed. */
export const TCP_TIMEOUT_MS = 5_000;

export const netTransport: SpaTransport = {
  resolve: (host, family) => netIO.resolve(host, family),
  sendUdp: (to, port, payload) => netIO.sendUdp(to, port, payload),
  sendTcp,
};

function sendTcp(to: Resolved, port: number, payload: Uint8Array): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: to.address, port, family: to.family });
    const timer = setTimeout(() => finish(new Error(`no TCP connection to ${to.address} port ${port} within ${TCP_TIMEOUT_MS} ms`)), TCP_TIMEOUT_MS);
    let done = false;
    function finish(err?: Error): void {
      if (done) return;
      done = true;
      clearTimeout(timer);
      socket.destroy();
      if (err) reject(err);
      else resolve();
    }
    socket.once('connect', () => socket.end(payload, () => finish()));
    socket.on('error', (err) => finish(err));
  });
}
