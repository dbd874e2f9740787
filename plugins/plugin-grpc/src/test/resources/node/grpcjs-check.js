// grpc-js against the mock: an error with rich details, a server stream, a bidi ping-pong and a
// stream ended by a status.
// Prints one JSON line of what it saw; any failure exits non-zero.
const grpc = require('@grpc/grpc-js');
const loader = require('@grpc/proto-loader');

const [, , port, protoPath] = process.argv;
const definition = loader.loadSync(protoPath, { keepCase: true, longs: String, defaults: true });
const ticker = grpc.loadPackageDefinition(definition).ticker.v1;
const client = new ticker.Ticker('127.0.0.1:' + port, grpc.credentials.createInsecure());
const options = () => ({ deadline: new Date(Date.now() + 10000) });

function watch(symbol) {
  return new Promise((resolve) => {
    const seqs = [];
    const call = client.Watch({ symbol }, options());
    call.on('data', (tick) => seqs.push(tick.seq));
    call.on('error', (e) => resolve({ seqs, code: e.code, details: e.details }));
    call.on('end', () => resolve({ seqs, code: 0 }));
  });
}

function pingPong(rounds) {
  return new Promise((resolve, reject) => {
    const seqs = [];
    const call = client.Chat(options());
    call.on('data', (tick) => {
      seqs.push(tick.seq);
      if (seqs.length < rounds) {
        call.write({ seq: seqs.length + 1 }); // the next only after the answer
      } else {
        call.end();
      }
    });
    call.on('error', reject);
    call.on('status', (status) => resolve({ seqs, code: status.code }));
    call.write({ seq: 1 });
  });
}

// A unary error with rich details: grpc-js hands the grpc-status-details-bin trailer over as bytes.
function last(symbol) {
  return new Promise((resolve, reject) => {
    client.Last({ symbol }, options(), (err) => {
      if (!err) {
        reject(new Error('Last answered OK'));
        return;
      }
      const bin = err.metadata.get('grpc-status-details-bin');
      resolve({ code: err.code, details: err.details, status_details: bin.length ? bin[0].toString('base64') : '' });
    });
  });
}

(async () => {
  const failed = await last('X');
  const ok = await watch('A');
  const cut = await watch('CUT');
  const chat = await pingPong(3);
  console.log(JSON.stringify({ last: failed, watch: ok, cut, chat }));
  client.close();
})().catch((e) => {
  console.error(e);
  process.exit(1);
});
