/**
 * Preloaded into the gateway child (`node --import tsx --import ./bench/chaos/loopback.ts src/main.ts`):
 * src/main.ts listens on every interface; under chaos it must listen on 127.0.0.1 only. A
 * `listen(port, callback)` call gets the loopback host added; nothing else changes.
 */
import net from 'node:net';

const listen = net.Server.prototype.listen;
net.Server.prototype.listen = function listenOnLoopback(this: net.Server, ...args: unknown[]) {
  if (typeof args[0] === 'number' && (args.length === 1 || typeof args[1] === 'function')) args.splice(1, 0, '127.0.0.1');
  return Reflect.apply(listen, this, args) as net.Server;
} as typeof net.Server.prototype.listen;
