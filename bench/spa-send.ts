// Sends one SPA datagram from a given source address (run in the client
// namespace, where the address is on the interface):
//   node spa-send.js SRC HOST PORT PAYLOAD
import { createSocket } from 'node:dgram';

const [src, host, port, payload] = process.argv.slice(2);
if (!src || !host || !port || !payload) {
  console.error('usage: spa-send.js SRC HOST PORT PAYLOAD');
  process.exit(2);
}
const socket = createSocket('udp4');
socket.bind({ address: src, port: 0 }, () => {
  socket.send(payload, Number(port), host, (err) => {
    if (err) {
      console.error(err.message);
      process.exitCode = 1;
    }
    // Linger a moment: node's exit should not compete with the daemon for the CPU while it handles the packet.
    setTimeout(() => socket.close(), 150);
  });
});
