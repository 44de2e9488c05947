'use strict';
// The Node peer of bench/ussd.py: the same 5-hop menu journey (dial, 1 Airtime, 1 My number,
// 500, 00) on ussd-menu-builder + Express, sessions in Redis, with the gateway's texts.
// Usage: node server.js PORT KEY_PREFIX [REDIS_URL]
// One UssdMenu per request: the library keeps the request (args, result callback) on the
// instance, so one shared menu mixes up concurrent sessions once session calls are async.
const express = require('express');
const Redis = require('ioredis');
const UssdMenu = require('ussd-menu-builder');

const port = Number(process.argv[2] || 8081);
const prefix = process.argv[3] || 'paylink-bench-node:';
const redisUrl = process.argv[4] || 'redis://127.0.0.1:6379/0';
const TTL_MS = 180000; // the floor's and the gateway's session lifetime
// auto-pipelining, as the gateway's session store does (fair to both)
const redis = new Redis(redisUrl, { enableAutoPipelining: true });

const MAIN = 'PayLink\n1 Airtime\n2 Data\n3 Electricity\n4 TV\n5 Exam PINs\n6 Wallet';

const sessions = {
  start: (sessionId, cb) => cb(),
  get: (sessionId, key) => redis.hget(prefix + sessionId, key),
  // both commands leave in one auto-pipelined write, without MULTI/EXEC's two extra commands
  set: (sessionId, key, value) =>
    Promise.all([redis.hset(prefix + sessionId, key, value), redis.pexpire(prefix + sessionId, TTL_MS)]),
  end: (sessionId) => redis.del(prefix + sessionId),
};

function local(phone) {
  return phone.startsWith('+234') ? '0' + phone.slice(4) : phone;
}

function buildMenu() {
  const menu = new UssdMenu({ provider: 'africasTalking' });
  menu.sessionConfig(sessions);
  menu.on('error', (err) => {
    menu.end('Sorry, something went wrong.');
    console.error(err);
  });
  const back = { '0': '__start__', '00': '__start__' };

  menu.startState({
    run: async () => {
      await menu.session.set('phone', menu.args.phoneNumber);
      menu.con(MAIN);
    },
    next: { '1': 'airtime' },
  });
  menu.state('airtime', {
    run: async () => {
      await menu.session.set('product', 'airtime');
      menu.con('Buy airtime for:\n1 My number\n2 Another number\n0 Back\n00 Main menu');
    },
    next: { ...back, '1': 'airtime.mine' },
  });
  menu.state('airtime.mine', {
    run: async () => {
      const phone = await menu.session.get('phone');
      await menu.session.set('recipient', local(phone));
      menu.con(`MTN airtime for ${local(phone)}\nEnter amount (N50-N50,000):\n0 Back\n00 Main menu`);
    },
    next: { '0': 'airtime', '00': '__start__', '*^\\d+$': 'airtime.amount' },
  });
  menu.state('airtime.amount', {
    run: async () => {
      const amount = Number(menu.val);
      const recipient = await menu.session.get('recipient');
      if (amount < 50 || amount > 50000) {
        menu.con(`MTN airtime for ${recipient}\nEnter amount (N50-N50,000):\n0 Back\n00 Main menu`);
        return;
      }
      await menu.session.set('amount', String(amount * 100)); // kobo
      menu.con(
        `MTN airtime N${amount}\nTo ${recipient}\nEnter PIN to pay:\n1 Change network\n0 Back\n00 Main menu`,
      );
    },
    next: { '0': 'airtime.mine', '00': '__start__' },
  });
  return menu;
}

const app = express();
app.disable('x-powered-by');
app.use(express.urlencoded({ extended: false }));
app.post('/ussd/africastalking', async (req, res) => {
  const answer = await buildMenu().run(req.body);
  res.type('text/plain').send(answer);
});
app.get('/healthz', (req, res) => res.send('ok'));
const listener = app.listen(port, '127.0.0.1');
process.on('SIGTERM', () => listener.close(() => redis.quit().then(() => process.exit(0))));
