// Process entry of the example client: `node client-main.js static:///127.0.0.1:8081,127.0.0.1:8082`
// runs one call of each RPC shape through a Sluice channel and prints the results.
import { createChannel } from "@sluice/runtime";
import { createInventoryServiceClient } from "../gen/inventory/v1/inventory_sluice.js";
import { tourOfShapes } from "./tour.js";

const target = process.argv[2];
if (target === undefined) {
  console.error("usage: node client-main.js <target>   e.g. static:///127.0.0.1:8081,127.0.0.1:8082");
  process.exit(2);
}
const channel = createChannel({ target, balancer: "round-robin" });
try {
  for (const line of await tourOfShapes(createInventoryServiceClient(channel))) console.log(line);
} finally {
  await channel.close();
}
