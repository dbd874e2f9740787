// Calls a gRPC mock with the Connect project's own Node clients: the Connect protocol (JSON and
// binary, HTTP/1.1 and HTTP/2) and gRPC-Web. Types come from the mock's FileDescriptorSet, so no
// code generation is needed. Prints one JSON line: what each transport got.
import { readFileSync } from "node:fs";
import { fromBinary, createFileRegistry } from "@bufbuild/protobuf";
import { FileDescriptorSetSchema } from "@bufbuild/protobuf/wkt";
import { createClient, ConnectError } from "@connectrpc/connect";
import { createConnectTransport, createGrpcWebTransport } from "@connectrpc/connect-node";

const [, , baseUrl, descriptors] = process.argv;
const registry = createFileRegistry(fromBinary(FileDescriptorSetSchema, readFileSync(descriptors)));
const service = registry.getService("inDriver.geo_config.GeoConfigService");
const transports = {
  connectJson: createConnectTransport({ baseUrl, httpVersion: "1.1" }),
  connectBinary: createConnectTransport({ baseUrl, httpVersion: "1.1", useBinaryFormat: true }),
  connectH2: createConnectTransport({ baseUrl, httpVersion: "2" }),
  grpcWeb: createGrpcWebTransport({ baseUrl, httpVersion: "1.1" }),
  grpcWebH2: createGrpcWebTransport({ baseUrl, httpVersion: "2" }),
};
const out = {};
for (const [name, transport] of Object.entries(transports)) {
  const client = createClient(service, transport);
  const city = await client.getCity({ id: 7n }, { headers: { "x-client": name }, timeoutMs: 10000 });
  let error = null;
  try {
    await client.listCountries({ pageSize: 1 }, { timeoutMs: 10000 });
  } catch (e) {
    const c = ConnectError.from(e);
    error = { code: c.code, message: c.rawMessage };
  }
  out[name] = { name: city.name, cityId: String(city.cityId), error };
}
console.log(JSON.stringify(out));
